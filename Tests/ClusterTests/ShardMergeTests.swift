import BraidTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// End-to-end shard merges with real MariaDB servers and real braid processes (dm-reference §3).
extension ClusterSuites {
@Suite struct ShardMergeTests {
    static let allTables: [(source: Int, table: String)] = [
        (0, "shardddl1.tb1"), (0, "shardddl1.tb2"), (1, "shardddl1.tb1"), (1, "shardddl1.tb2"),
    ]

    /// S02/S04 (DM_003, DM_006–009) in one run: pessimistic, 2 sources × 2 tables. A table that passed the
    /// DDL has its rows held until every shard has the DDL; then everything arrives exactly once.
    @Test func pessimisticMergeHoldsRowsUntilEveryShardHasTheDDL() async throws {
        try await ShardMergeFixture.with(label: "pess-merge") { f in
            try await f.createTables(Self.allTables)
            let started = try await f.ctl(["start-task", try f.writeTask("test", shardMode: "pessimistic"), "--remove-meta"])
            #expect(started.status == 0, "\(started.text)")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })

            for (n, (source, table)) in Self.allTables.enumerated() {
                try await f.exec(source, "INSERT INTO \(table) VALUES (\(n * 100 + 1), 'a'), (\(n * 100 + 2), 'b')")
            }
            #expect(try await eventually { try await f.consistent(Self.allTables) })

            // DM_003: source 1's tb1 alters and writes; that row must wait for the other shards.
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD COLUMN new_col1 INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (5, 'held', 5)")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (6, 'passes')")
            #expect(try await eventually { try await f.downstreamRows(columns: "id").contains("6") })
            #expect(try await !f.downstreamRows(columns: "id").contains("5"), "a held row was applied early")

            try await f.exec(0, "ALTER TABLE shardddl1.tb2 ADD COLUMN new_col1 INT")
            // Source 1's group resolved: the lock waits for source 2.
            #expect(try await eventually {
                let locks = try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [[String: Any]] ?? []
                return locks.first?["ID"] as? String == "test-`shardddl`.`tb`" || locks.first?["id"] as? String == "test-`shardddl`.`tb`"
            })
            try await f.exec(1, "ALTER TABLE shardddl1.tb1 ADD COLUMN new_col1 INT")
            try await f.exec(1, "ALTER TABLE shardddl1.tb2 ADD COLUMN new_col1 INT")
            try await f.exec(1, "INSERT INTO shardddl1.tb2 VALUES (7, 'after', 7)")

            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(Self.allTables) })
            let columns = try await f.downstreamQuery("SHOW COLUMNS FROM shardddl.tb").map { $0[0] ?? "" }
            #expect(columns == ["id", "v", "new_col1"])
            #expect(try await eventually { (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [Any])?.isEmpty ?? false })
            #expect(try await f.subtaskError("test") == nil)
        }
    }

    /// S03 (DM_004) and S15 (DM_030) optimistic: rows of the altered table arrive at once; the other
    /// shards join the new schema later.
    @Test func optimisticMergeAppliesAtOnce() async throws {
        try await ShardMergeFixture.with(label: "opt-merge") { f in
            let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1"), (0, "shardddl1.tb2"), (1, "shardddl1.tb1")]
            try await f.createTables(tables)
            #expect(try await f.ctl(["start-task", try f.writeTask("test", shardMode: "optimistic"), "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD COLUMN new_col1 INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1, 'x', 1)")
            #expect(try await eventually { try await f.downstreamRows(columns: "id").contains("1") })
            try await f.exec(1, "INSERT INTO shardddl1.tb1 VALUES (2, 'y')")
            try await f.exec(0, "ALTER TABLE shardddl1.tb2 ADD COLUMN new_col1 INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (3, 'z', 3)")
            try await f.exec(1, "ALTER TABLE shardddl1.tb1 ADD COLUMN new_col1 INT")
            try await f.exec(1, "INSERT INTO shardddl1.tb1 VALUES (4, 'w', 4)")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(tables) })
            #expect(try await f.subtaskError("test") == nil)
        }
    }

    /// Optimistic skip-and-redirect across a worker SIGKILL: source 1's table skips its rename and its
    /// later rows while the other tables go on; the worker dies and restarts mid-wait; the restarted
    /// subtask re-reads the DDL, waits again, and once source 2's renames resolve the lock, replays what
    /// the table skipped. Every row arrives once and no lock is left.
    @Test func optimisticRedirectSurvivesAWorkerKill() async throws {
        try await ShardMergeFixture.with(label: "redirect-kill") { f in
            let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1"), (0, "shardddl1.tb2"), (1, "shardddl1.tb1")]
            try await f.createTables(tables, definition: "(a INT PRIMARY KEY, b VARCHAR(10))")
            #expect(try await f.ctl(["start-task", try f.writeTask("test", shardMode: "optimistic"), "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 CHANGE a c INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1, 'skipped')")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (2, 'flows')")
            // tb2 goes on while tb1 waits for its redirect.
            #expect(try await eventually { try await f.downstreamRows(columns: "a").contains("2") })
            #expect(try await !f.downstreamRows(columns: "a").contains("1"))
            #expect(try await eventually {
                try await f.ctl(["shard-ddl-lock", "test"]).text.contains("skip and wait for redirect")
            })
            let sources = try await f.ctl(["operate-source", "show"]).json["sources"] as? [[String: Any]] ?? []
            let worker = try #require(sources.first { $0["source"] as? String == ShardMergeFixture.sources[0] }?["worker"] as? String)
            f.cluster.kill(worker, signal: SIGKILL)
            try f.startWorker(worker)
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (3, 'flows')")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "a").contains("3") })
            // Source 2's rename and then source 1's tb2 resolve the lock; tb1 replays its rename and row.
            try await f.exec(1, "ALTER TABLE shardddl1.tb1 CHANGE a c INT")
            try await f.exec(1, "INSERT INTO shardddl1.tb1 VALUES (4, 'after')")
            try await f.exec(0, "ALTER TABLE shardddl1.tb2 CHANGE a c INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (5, 'after')")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(tables) }, "every row once")
            #expect(try await eventually { (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [Any])?.isEmpty ?? false })
            #expect(try await f.subtaskError("test") == nil)
        }
    }

    /// task-mode all: rows that exist before the task are copied from a consistent snapshot, then the
    /// binlog continues from the snapshot's position; no shard mode (S01 DM_001: both tables add the
    /// same column; the second ALTER's "Duplicate column" is tolerated).
    @Test func fullCopyThenIncrementalWithoutShardMode() async throws {
        try await ShardMergeFixture.with(label: "all-mode", workers: ["worker1"]) { f in
            let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1"), (0, "shardddl1.tb2")]
            try await f.createTables(tables)
            var values: [String] = []
            for id in 1...3000 { values.append("(\(id), 'pre-\(id)')") }
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES " + values.joined(separator: ","))
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (100000, 'other')")
            let task = try f.writeTask("test", shardMode: nil, taskMode: "all", sources: ["mysql-replica-01"])
            #expect(try await f.ctl(["start-task", task, "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(tables) })
            // query-status carries a progress line per subtask (rows so far; percent, rate and ETA while loading).
            #expect(try await eventually {
                let lines = try await f.ctl(["query-status", "test"]).json["progress"] as? [String] ?? []
                return lines.contains { $0.hasPrefix("mysql-replica-01 Sync Running") && $0.contains("rows") }
            })
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD COLUMN new_col1 INT")
            try await f.exec(0, "ALTER TABLE shardddl1.tb2 ADD COLUMN new_col1 INT")
            try await f.exec(0, "UPDATE shardddl1.tb1 SET new_col1 = id WHERE id <= 10")
            try await f.exec(0, "DELETE FROM shardddl1.tb1 WHERE id > 2990")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(tables) })
            #expect(try await f.subtaskError("test") == nil)
        }
    }

    /// Issue 4 item 5: a worker SIGKILLed in the middle of the full copy resumes it after the last
    /// committed chunk (from a new snapshot), replays the binlog between the two snapshots in safe
    /// mode, and the downstream ends equal to the upstream, with writes made during the copy.
    @Test func fullCopySurvivesWorkerKill() async throws {
        try await ShardMergeFixture.with(label: "kill-mid-copy", workers: ["worker1"]) { f in
            let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1"), (0, "shardddl1.tb2")]
            try await f.createTables(tables)
            let total = 400_000
            // MariaDB's Sequence engine makes the rows server-side.
            try await f.exec(0, "INSERT INTO shardddl1.tb1 SELECT seq, CONCAT('pre-', seq) FROM shardddl1.seq_1_to_\(total)")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (\(total + 100), 'other')")
            let task = try f.writeTask("test", shardMode: nil, taskMode: "all", sources: ["mysql-replica-01"])
            #expect(try await f.ctl(["start-task", task, "--remove-meta"]).status == 0)
            let downstreamCount = { () async throws -> Int in
                Int((try await f.downstreamQuery("SELECT COUNT(*) FROM shardddl.tb").first?.first ?? nil) ?? "0") ?? 0
            }
            // Kill once some chunks are committed downstream but far from all.
            #expect(try await eventually(timeout: .seconds(120), poll: .milliseconds(5)) { try await downstreamCount() > 0 }, "the copy starts")
            f.cluster.kill("worker1", signal: SIGKILL)
            let atKill = try await downstreamCount()
            #expect(atKill < total, "killed before the copy finished: \(atKill) of \(total)")
            // Writes while the worker is down: on copied rows, on rows not copied yet, and new rows.
            try await f.exec(0, "UPDATE shardddl1.tb1 SET v = 'updated' WHERE id % 997 = 0")
            try await f.exec(0, "DELETE FROM shardddl1.tb1 WHERE id % 1009 = 0")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (\(total + 1), 'new'), (\(total + 2), 'new')")
            try await f.exec(0, "UPDATE shardddl1.tb2 SET v = 'updated'")
            try f.startWorker("worker1")
            #expect(try await eventually(timeout: .seconds(180)) { try await f.consistent(tables) }, "downstream equals upstream")
            let log = f.cluster.log("worker1")
            #expect(log.contains("resumed=true"), "the restarted worker resumed the copy")
            // Then incremental replication goes on.
            try await f.exec(0, "UPDATE shardddl1.tb1 SET v = 'after' WHERE id <= 10")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(tables) })
            #expect(try await f.subtaskError("test") == nil)
        }
    }

    /// Issue 4 item 6: the master SIGKILLed mid-lock, then restarted; a worker SIGKILLed mid-lock, then
    /// restarted. Both locks finish and the downstream holds every row exactly once.
    @Test(arguments: ["master", "worker"])
    func processKilledMidLockStillFinishesTheLock(victim: String) async throws {
        try await ShardMergeFixture.with(label: "kill-\(victim)-mid-lock") { f in
            try await f.createTables(Self.allTables)
            #expect(try await f.ctl(["start-task", try f.writeTask("test", shardMode: "pessimistic"), "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })
            for (n, (source, table)) in Self.allTables.enumerated() {
                try await f.exec(source, "INSERT INTO \(table) VALUES (\(n * 100 + 1), 'before')")
            }
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD COLUMN c INT")
            try await f.exec(0, "ALTER TABLE shardddl1.tb2 ADD COLUMN c INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1001, 'held', 1)")
            #expect(try await eventually {
                (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [Any])?.count == 1
            }, "the lock waits for source 2")
            if victim == "master" {
                f.cluster.kill("master", signal: SIGKILL)
                try f.startMaster()
                #expect(try await eventually { (try? await f.ctl(["list-member"]).status) == 0 })
            } else {
                let sources = try await f.ctl(["operate-source", "show"]).json["sources"] as? [[String: Any]] ?? []
                let worker = try #require(sources.first { $0["source"] as? String == ShardMergeFixture.sources[0] }?["worker"] as? String)
                f.cluster.kill(worker, signal: SIGKILL)
                try f.startWorker(worker)
            }
            // The lock survives the restart, then finishes once source 2 has the DDL too.
            #expect(try await eventually(timeout: .seconds(30)) {
                (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [Any])?.count == 1
            })
            try await f.exec(1, "ALTER TABLE shardddl1.tb1 ADD COLUMN c INT")
            try await f.exec(1, "ALTER TABLE shardddl1.tb2 ADD COLUMN c INT")
            try await f.exec(1, "INSERT INTO shardddl1.tb2 VALUES (1002, 'after', 2)")
            let consistent = try await eventually(timeout: .seconds(60)) { try await f.consistent(Self.allTables) }
            let lastError = (try? await f.subtaskError("test")) ?? nil
            #expect(consistent, "error \(String(describing: lastError))")
            #expect(try await eventually { (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [Any])?.isEmpty ?? false })
        }
    }

    /// Issue 4 item 6: `transfer-source` moves a source with a running subtask to another worker; the
    /// new worker resumes from the checkpoint and nothing is lost or doubled.
    @Test func sourceTransferredMidTask() async throws {
        try await ShardMergeFixture.with(label: "transfer", workers: ["worker1", "worker2", "worker3"]) { f in
            try await f.createTables(Self.allTables)
            #expect(try await f.ctl(["start-task", try f.writeTask("test", shardMode: "pessimistic"), "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })
            for i in 1...200 { try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (\(i), 'a')") }
            let sources = try await f.ctl(["operate-source", "show"]).json["sources"] as? [[String: Any]] ?? []
            let busy = Set(sources.compactMap { $0["worker"] as? String })
            let free = try #require(["worker1", "worker2", "worker3"].first { !busy.contains($0) })
            let moved = try await f.ctl(["transfer-source", ShardMergeFixture.sources[0], free])
            #expect(moved.status == 0, "\(moved.text)")
            for i in 201...400 { try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (\(i), 'b')") }
            try await f.exec(0, "UPDATE shardddl1.tb1 SET v = 'c' WHERE id % 3 = 0")
            #expect(try await eventually { try await f.boundSources().count == 2 })
            let now = try await f.ctl(["operate-source", "show"]).json["sources"] as? [[String: Any]] ?? []
            #expect(now.first { $0["source"] as? String == ShardMergeFixture.sources[0] }?["worker"] as? String == free)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(Self.allTables) })
        }
    }
}
}
