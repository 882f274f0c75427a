import Foundation
import Testing
import Worker

@Suite("Worker sessions against a fake master")
struct WorkerSessionTests {
    @Test("registers, follows Running/Paused/removed with start/pause/resume/stop, reports status")
    func followsStages() async throws {
        let master = FakeMaster()
        // Not a lease test: a long TTL keeps a starved machine's late keepalive from fencing mid-test.
        master.state.withLock { $0.ttlMs = 15_000 }
        try await WorkerFixtures.withWorker(master, runner: NoopSubtaskRunner()) {
            try await master.waitFor("register") { $0.contains("register") }
            master.bind(source: "s1", epoch: 1, subtasks: [("test", "Running", WorkerFixtures.taskYAML())])
            try await master.waitFor("start") { $0.contains("runner.start test@s1 epoch=1") }
            try await master.waitFor("running status") { $0.contains("status test@s1 Running") }
            master.update { $0.subtasks[0].expected_stage = .Paused }
            try await master.waitFor("pause") { $0.contains("runner.pause test@s1") && $0.contains("status test@s1 Paused") }
            master.update { $0.subtasks[0].expected_stage = .Running }
            try await master.waitFor("resume") { $0.contains("runner.resume test@s1") }
            master.update { $0.subtasks = [] }
            try await master.waitFor("stop") { $0.contains("runner.stop test@s1") }
        }
        #expect(master.timeline.filter { $0 == "runner.start test@s1 epoch=1" }.count == 1)
    }

    @Test("a new binding epoch restarts subtasks with the new epoch")
    func rebindRestarts() async throws {
        let master = FakeMaster()
        try await WorkerFixtures.withWorker(master, runner: NoopSubtaskRunner()) {
            master.bind(source: "s1", epoch: 1, subtasks: [("test", "Running", WorkerFixtures.taskYAML())])
            try await master.waitFor("start 1") { $0.contains("runner.start test@s1 epoch=1") }
            master.update { $0.epoch = 2 }
            try await master.waitFor("start 2") { $0.contains("runner.start test@s1 epoch=2") }
        }
        let timeline = master.timeline
        let stop = try #require(timeline.firstIndex(of: "runner.stop test@s1"))
        let restart = try #require(timeline.firstIndex(of: "runner.start test@s1 epoch=2"))
        #expect(stop < restart)
    }

    @Test("fencing: a lapsed keepalive stops every runner before the worker registers again")
    func fencing() async throws {
        let master = FakeMaster()
        master.state.withLock { $0.ttlMs = 1_500 }
        try await WorkerFixtures.withWorker(master, runner: NoopSubtaskRunner()) {
            master.bind(source: "s1", epoch: 1, subtasks: [("test", "Running", WorkerFixtures.taskYAML())])
            try await master.waitFor("start") { $0.contains("runner.start test@s1 epoch=1") }
            master.state.withLock { $0.failKeepalive = true }
            try await master.waitFor("fenced") { $0.contains("runner.stop test@s1") }
            master.state.withLock { $0.failKeepalive = false }
            try await master.waitFor("rejoined") { $0.filter { $0 == "register" }.count >= 2 }
            try await master.waitFor("restarted") { $0.filter { $0 == "runner.start test@s1 epoch=1" }.count >= 2 }
        }
        let timeline = master.timeline
        let stop = try #require(timeline.firstIndex(of: "runner.stop test@s1"))
        let registers = timeline.indices.filter { timeline[$0] == "register" }
        #expect(registers.count >= 2)
        // A starved machine can reach the lease's end on the worker's own clock before a failing
        // keepalive answers; either way the runners stop first. A failure seen must come before the stop.
        if let failed = timeline.firstIndex(of: "keepalive.failed") { #expect(failed < stop, "\(timeline)") }
        #expect(stop < registers[1], "runners must stop before the worker rejoins: \(timeline)")
    }

    @Test("pessimistic round trip with the scripted runner: exec as owner, skip as non-owner, done echoes the serial")
    func pessimisticRoundTrip() async throws {
        try await withTemporaryScriptDirectory { dir in
            let script = Script(steps: [
                .init(kind: .checkpoint, binlogName: "mysql-bin.000001", binlogPos: 120),
                .init(kind: .ddl, mode: "pessimistic", schema: "db", table: "t", ddls: ["ALTER TABLE `db`.`t` ADD COLUMN c INT"]),
                .init(kind: .ddl, mode: "pessimistic", schema: "db", table: "u", ddls: ["ALTER TABLE `db`.`u` ADD COLUMN c INT"]),
                .init(kind: .checkpoint, binlogName: "mysql-bin.000001", binlogPos: 456),
            ])
            try JSONEncoder().encode(script).write(to: dir.appendingPathComponent("test-s1.json"))
            let runner = ScriptedSubtaskRunner(scriptDirectory: dir)
            let master = FakeMaster()
            // Another source already owns the lock on `db`.`u`: this one must skip.
            master.update { $0.operations = [.init(
                mode: .pessimistic, lock_id: "test-`db`.`u`", lock_serial: 1, task: "test", source: "s2",
                ddls: ["ALTER TABLE `db`.`u` ADD COLUMN c INT"], exec: true, done: true)] }
            try await WorkerFixtures.withWorker(master, runner: runner) {
                master.bind(source: "s1", epoch: 7, subtasks: [("test", "Running", WorkerFixtures.taskYAML())])
                try await master.waitFor("second checkpoint") { $0.contains("checkpoint s1 epoch=7 pos=456") }
            }
            let timeline = master.timeline
            #expect(timeline.contains("checkpoint s1 epoch=7 pos=120"))
            #expect(timeline.contains("done s1 test-`db`.`t` serial=1"))
            #expect(timeline.contains("done s1 test-`db`.`u` serial=1"))
            let lines = try String(contentsOf: runner.recordURL(.init(task: "test", source: "s1")), encoding: .utf8)
            let records = try lines.split(separator: "\n").map {
                try JSONDecoder().decode(ScriptedSubtaskRunner.Record.self, from: Data($0.utf8))
            }
            #expect(records.contains { $0.event == "exec" && $0.lockID == "test-`db`.`t`" && $0.epoch == 7 })
            #expect(records.contains { $0.event == "skip" && $0.lockID == "test-`db`.`u`" })
            #expect(records.contains { $0.event == "finished" })
        }
    }
}

func withTemporaryScriptDirectory(_ body: (URL) async throws -> Void) async throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("braid-worker-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    try await body(url)
}
