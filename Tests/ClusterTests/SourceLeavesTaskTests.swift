import BraidTestSupport
import Foundation
import Testing

/// `stop-task -s` and `start-task -s` on a running task (DM's DM_STOP_TASK_FOR_A_SOURCE), with real
/// MariaDB servers and braid processes: one source leaves while the other keeps syncing, its share of
/// the shard-DDL lock is released, and it comes back into the lock later.
extension ClusterSuites {
@Suite struct SourceLeavesTaskTests {
    static let tables: [(source: Int, table: String)] = [
        (0, "shardddl1.tb1"), (0, "shardddl1.tb2"), (1, "shardddl1.tb1"), (1, "shardddl1.tb2"),
    ]

    /// Optimistic: a column is dropped downstream only when no shard has it any more. Source 2 still
    /// has `b` when it leaves; once it is gone, source 1 dropping `b` is enough. Re-added, source 2
    /// resumes from its checkpoint, follows with its own DDLs, and every row arrives once.
    @Test func stopAndRestartOneSourceOfAnOptimisticTask() async throws {
        try await ShardMergeFixture.with(label: "stop-source") { f in
            try await f.createTables(Self.tables, definition: "(id INT PRIMARY KEY)")
            let task = try f.writeTask("test", shardMode: "optimistic")
            let started = try await f.ctl(["start-task", task, "--remove-meta"])
            #expect(started.status == 0, "\(started.text)")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })

            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1)")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (2)")
            try await f.exec(1, "INSERT INTO shardddl1.tb1 VALUES (3)")
            try await f.exec(1, "INSERT INTO shardddl1.tb2 VALUES (4)")
            for (source, table) in Self.tables { try await f.exec(source, "ALTER TABLE \(table) ADD COLUMN b VARCHAR(10)") }
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (5, 'aaa')")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (6, 'bbb')")
            try await f.exec(1, "INSERT INTO shardddl1.tb1 VALUES (7, 'ccc')")
            try await f.exec(1, "INSERT INTO shardddl1.tb2 VALUES (8, 'ddd')")
            for source in [0, 1] {
                try await f.exec(source, "ALTER TABLE shardddl1.tb1 ADD COLUMN c TEXT")
                try await f.exec(source, "INSERT INTO shardddl1.tb1 VALUES (\(9 + 2 * source), 'x', 'x')")
                try await f.exec(source, "ALTER TABLE shardddl1.tb2 DROP COLUMN b")
                try await f.exec(source, "INSERT INTO shardddl1.tb2 VALUES (\(10 + 2 * source))")
            }
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "id").count == 12 })

            let stopped = try await f.ctl(["stop-task", "test", "-s", ShardMergeFixture.sources[1]])
            #expect(stopped.status == 0, "\(stopped.text)")
            #expect(try await eventually { try await Self.subtaskSources(f) == [ShardMergeFixture.sources[0]] })

            // Source 1 alone now: dropping `b` from its last table with `b` drops it downstream.
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 DROP COLUMN b")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (13, 'ggg')")
            try await f.exec(0, "ALTER TABLE shardddl1.tb2 ADD COLUMN c TEXT")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (14, 'hhh')")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "id").count == 14 })
            #expect(try await eventually { try await Self.downstreamColumns(f) == ["id", "c"] })
            #expect(try await f.subtaskError("test") == nil)

            let restarted = try await f.ctl(["start-task", task, "-s", ShardMergeFixture.sources[1]])
            #expect(restarted.status == 0, "\(restarted.text)")
            #expect(try await eventually(timeout: .seconds(60)) {
                let sources = try await Self.subtaskSources(f)
                let syncing = try await f.isSyncing("test")
                return sources == ShardMergeFixture.sources && syncing
            })
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (15, 'iii')")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (16, 'jjj')")
            try await f.exec(1, "ALTER TABLE shardddl1.tb1 DROP COLUMN b")
            try await f.exec(1, "INSERT INTO shardddl1.tb1 VALUES (17, 'kkk')")
            try await f.exec(1, "ALTER TABLE shardddl1.tb2 ADD COLUMN c TEXT")
            try await f.exec(1, "INSERT INTO shardddl1.tb2 VALUES (18, 'lll')")

            #expect(try await eventually(timeout: .seconds(60)) { try await f.consistent(Self.tables) })
            #expect(try await Self.downstreamColumns(f) == ["id", "c"])
            #expect(try await f.subtaskError("test") == nil)
            #expect(try await eventually { (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [Any])?.isEmpty ?? false })
        }
    }

    /// Pessimistic: a lock waiting for the source that leaves resolves without it (its share is
    /// released), so the remaining source's held rows flow; the task then runs on one source.
    @Test func stoppingTheSourceALockWaitsForReleasesTheLock() async throws {
        try await ShardMergeFixture.with(label: "stop-source-pess") { f in
            try await f.createTables(Self.tables)
            let task = try f.writeTask("test", shardMode: "pessimistic")
            #expect(try await f.ctl(["start-task", task, "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD COLUMN n INT")
            try await f.exec(0, "ALTER TABLE shardddl1.tb2 ADD COLUMN n INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1, 'held', 1)")
            #expect(try await eventually {
                let locks = try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [[String: Any]] ?? []
                return !locks.isEmpty
            })
            #expect(try await f.downstreamRows(columns: "id").isEmpty, "a row behind the lock was applied early")

            #expect(try await f.ctl(["stop-task", "test", "-s", ShardMergeFixture.sources[1]]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "id") == ["1"] })
            #expect(try await Self.downstreamColumns(f) == ["id", "v", "n"])
            #expect(try await eventually { (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [Any])?.isEmpty ?? false })
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (2, 'after', 2)")
            #expect(try await eventually { try await f.downstreamRows(columns: "id") == ["1", "2"] })
            #expect(try await f.subtaskError("test") == nil)
        }
    }

    static func subtaskSources(_ f: ShardMergeFixture) async throws -> [String] {
        let status = try await f.ctl(["query-status", "test"]).json["status"] as? [String: Any]
        return (status?["subtasks"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }.sorted()
    }

    static func downstreamColumns(_ f: ShardMergeFixture) async throws -> [String] {
        try await f.downstreamQuery("SHOW COLUMNS FROM shardddl.tb").map { $0[0] ?? "" }
    }
}
}
