import BraidTestSupport
import Foundation
import Testing

/// Issue 9, bug 2: after `pause-task` the reported stage went back to Running. A 200,000-row
/// transaction is being applied when the task is paused; the syncer's progress report (always sent
/// as Running) landed after the Paused one, so a script polling for Paused, as DM's users write,
/// hung. Status must never contradict the real stage, on the master or on the worker.
extension ClusterSuites {
@Suite struct PauseStatusTests {
    @Test func pausedStaysPausedWhileABigTransactionDrains() async throws {
        try await ShardMergeFixture.with(label: "pause-status") { f in
            let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1"), (1, "shardddl1.tb1")]
            try await f.createTables(tables)
            let task = try f.writeTask("test", shardMode: "pessimistic")
            #expect(try await eventually { try await f.boundSources().count == 2 }, "sources bound")
            #expect(try await f.ctl(["start-task", task, "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") }, "subtasks sync")

            // One upstream transaction of 200,000 rows (MariaDB's sequence engine), then pause at once.
            try await f.exec(0, "INSERT INTO shardddl1.tb1 SELECT seq, CONCAT('row ', seq) FROM shardddl1.seq_1_to_200000")
            let paused = try await f.ctl(["pause-task", "test"])
            #expect(paused.status == 0, "\(paused.text)")
            let allPaused = try await eventually(timeout: .seconds(60)) {
                try await f.masterStages("test").values.allSatisfy { $0 == "Paused" }
            }
            let stages = try await f.masterStages("test")
            #expect(allPaused, "query-status shows Paused: \(stages)")

            // Whatever the subtask was doing finishes while paused; for as long as the in-flight work
            // can take (a round of the big transaction, its progress report), nothing says Running.
            let window = ContinuousClock.now + .seconds(8)
            var samples = 0
            while ContinuousClock.now < window {
                let master = try await f.masterStages("test")
                let worker = await f.workerStages()
                #expect(master.count == 2 && master.values.allSatisfy { $0 == "Paused" }, "query-status: \(master)")
                #expect(worker.values.allSatisfy { $0 == "Paused" }, "worker /status: \(worker)")
                samples += 1
                try await Task.sleep(for: .milliseconds(100))  // sampling pace, not synchronisation
            }
            #expect(samples > 10)

            // Resumed, every row arrives.
            #expect(try await f.ctl(["resume-task", "test"]).status == 0)
            let done = try await eventually(timeout: .seconds(120)) {
                try await f.downstreamQuery("SELECT COUNT(*) FROM shardddl.tb").first?.first == "200000"
            }
            #expect(done, "all 200,000 rows downstream after resume")
            #expect(try await eventually { try await f.isSyncing("test") }, "Running again after resume")
        }
    }
}
}
