import BraidTestSupport
import Foundation
import Logging
import MasterClient
import Testing
import Worker

@Suite("Workers against the real in-process master")
struct LiveMasterTests {
    static let taskYAML = """
        name: test
        task-mode: incremental
        shard-mode: pessimistic
        target-database:
          host: 127.0.0.1
          port: 4000
          user: root
          password: 'tgt'
        mysql-instances:
          - source-id: s1
          - source-id: s2
        """

    static func sourceYAML(_ id: String) -> String {
        """
        source-id: \(id)
        flavor: mysql
        from:
          host: 127.0.0.1
          user: root
          password: 'pw-\(id)'
          port: 3306
        """
    }

    @Test("two workers, two sources: the pessimistic lock is executed once, skipped once, and resolved")
    func pessimisticEndToEnd() async throws {
        try await withTemporaryDirectory("braid-worker-live") { dir in
            let scripts = URL(fileURLWithPath: dir + "/scripts")
            try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
            let ddl = "ALTER TABLE `db`.`t` ADD COLUMN c INT"
            for source in ["s1", "s2"] {
                let script = Script(steps: [
                    .init(kind: .checkpoint, binlogName: "mysql-bin.000001", binlogPos: 100),
                    .init(kind: .ddl, mode: "pessimistic", schema: "db", table: "t", ddls: [ddl]),
                    .init(kind: .checkpoint, binlogName: "mysql-bin.000001", binlogPos: 200),
                ])
                try JSONEncoder().encode(script).write(to: scripts.appendingPathComponent("test-\(source).json"))
            }
            try await LiveMaster.serve(dataDir: dir + "/master") { port in
                let address = "127.0.0.1:\(port)"
                let client = try MasterClient(masters: [address])
                let runners = [ScriptedSubtaskRunner(scriptDirectory: scripts), ScriptedSubtaskRunner(scriptDirectory: scripts)]
                var logger = Logger(label: "test.worker")
                logger.logLevel = .warning
                let services = try ["w1", "w2"].enumerated().map { index, name in
                    try WorkerService(configuration: WorkerConfiguration(
                        name: name, masters: [address], advertiseAddress: "127.0.0.1:0", runner: runners[index],
                        watchTimeout: .seconds(1), logger: logger))
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for service in services { group.addTask { await service.run() } }
                    defer { group.cancelAll() }
                    try await eventually("both workers registered") {
                        (try? await client.listWorkers().count) == 2
                    }
                    _ = try await client.createSource(yaml: Self.sourceYAML("s1"))
                    _ = try await client.createSource(yaml: Self.sourceYAML("s2"))
                    // Registered is not yet online: a source binds once a worker's first keepalive
                    // lands, which a loaded machine can delay past start-task.
                    try await eventually("both sources bound") {
                        (try? await client.listWorkers().filter { $0.stage == .bound }.count) == 2
                    }
                    _ = try await client.startTask(yaml: Self.taskYAML)
                    for runner in runners {
                        _ = try await next(runner, "finished") { $0.event == "finished" }
                    }
                    try await eventually("lock resolved") { (try? await client.listLocks(task: "test").isEmpty) == true }
                }
            }
            let records = try ["s1", "s2"].flatMap { source in
                try String(contentsOf: scripts.appendingPathComponent("test-\(source).record.jsonl"), encoding: .utf8)
                    .split(separator: "\n")
                    .map { try JSONDecoder().decode(ScriptedSubtaskRunner.Record.self, from: Data($0.utf8)) }
            }
            #expect(records.filter { $0.event == "exec" }.count == 1, "\(records)")
            #expect(records.filter { $0.event == "skip" }.count == 1, "\(records)")
            #expect(records.filter { $0.event == "exec" || $0.event == "skip" }.allSatisfy { $0.lockID == "test-`db`.`t`" })
        }
    }
}

/// Waits for the next record matching `predicate` on the runner's event stream, up to `timeout`.
func next(
    _ runner: ScriptedSubtaskRunner, _ what: String, timeout: Duration = .seconds(20),
    _ predicate: @escaping @Sendable (ScriptedSubtaskRunner.Record) -> Bool
) async throws -> ScriptedSubtaskRunner.Record {
    try await withThrowingTaskGroup(of: ScriptedSubtaskRunner.Record?.self) { group in
        group.addTask {
            for await record in runner.events where predicate(record) { return record }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let record = try await group.next() ?? nil else { throw FakeMasterError.timeout(what) }
        return record
    }
}

/// Re-checks a condition the system under test reaches asynchronously, failing at the deadline.
/// Used only where no event stream exists (the master's HTTP state).
func eventually(
    _ what: String, timeout: Duration = .seconds(20), _ condition: () async -> Bool
) async throws {
    guard try await BraidTestSupport.eventually(timeout: timeout, condition) else { throw FakeMasterError.timeout(what) }
}
