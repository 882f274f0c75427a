import Foundation
import MasterClient
import Worker

/// A runner wrapper that writes each verb onto the fake master's timeline, so a test can check
/// the order of runner actions against protocol calls (fencing: stop before re-register).
struct TimelineRunner: SubtaskRunner {
    let inner: any SubtaskRunner
    let master: FakeMaster

    func start(_ subtask: SubtaskContext) async throws(SubtaskRunnerError) {
        try await self.inner.start(subtask)
        self.master.note("runner.start \(subtask.key) epoch=\(subtask.bindingEpoch)")
    }
    func pause(_ key: SubtaskKey) async {
        await self.inner.pause(key)
        self.master.note("runner.pause \(key)")
    }
    func resume(_ key: SubtaskKey) async {
        await self.inner.resume(key)
        self.master.note("runner.resume \(key)")
    }
    func stop(_ key: SubtaskKey) async {
        await self.inner.stop(key)
        self.master.note("runner.stop \(key)")
    }
    func run() async { await self.inner.run() }
}

enum WorkerFixtures {
    static func taskYAML(_ name: String = "test", source: String = "s1", mode: String = "pessimistic") -> String {
        """
        name: \(name)
        task-mode: incremental
        shard-mode: \(mode)
        target-database:
          host: 127.0.0.1
          port: 4000
          user: root
        mysql-instances:
          - source-id: \(source)
        """
    }

    /// Runs a worker against `master` while `body` runs, then cancels it.
    static func withWorker(
        _ master: FakeMaster, runner: any SubtaskRunner, _ body: () async throws -> Void
    ) async throws {
        let client = try MasterClient(masters: ["127.0.0.1:1"], transport: FakeMasterTransport(master: master))
        let service = try WorkerService(
            configuration: WorkerConfiguration(
                name: "w1", masters: ["127.0.0.1:1"], advertiseAddress: "127.0.0.1:8262",
                runner: TimelineRunner(inner: runner, master: master),
                backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100)),
                watchTimeout: .milliseconds(200), client: client))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await service.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }
}
