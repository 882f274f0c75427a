import BraidTestSupport
import Foundation
import Testing

/// `braid ctl binlog skip|replace|list|revert` end to end: real MariaDB servers, a real master and
/// workers. An unsupported DDL pauses the subtask naming the statement and position; rows written
/// after it wait in the binlog (nothing is lost) and arrive once an operation resolves the event.
extension ClusterSuites {
@Suite struct BinlogOperationTests {
    @Test func skipAndReplaceResolveUnsupportedDDLs() async throws {
        try await ShardMergeFixture.with(label: "binlogop") { f in
            try await Self.run(f)
        }
    }

    /// The paused subtask's status: (error, error_binlog_pos).
    static func failure(_ f: ShardMergeFixture) async throws -> (error: String, position: String)? {
        let status = try await f.ctl(["query-status", "test"]).json["status"] as? [String: Any]
        let subtasks = status?["subtasks"] as? [[String: Any]] ?? []
        for entry in subtasks {
            guard let s = entry["status"] as? [String: Any], s["stage"] as? String == "Paused",
                let error = s["error"] as? String, let position = s["error_binlog_pos"] as? String
            else { continue }
            return (error, position)
        }
        return nil
    }

    static func run(_ f: ShardMergeFixture) async throws {
        let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1")]
        try await f.createTables(tables, definition: "(id INT PRIMARY KEY)")
        let task = try f.writeTask("test", shardMode: nil, sources: [ShardMergeFixture.sources[0]])
        let started = try await f.ctl(["start-task", task])
        #expect(started.status == 0, "\(started.text)")
        #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") }, "the subtask syncs")
        try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1)")
        #expect(try await eventually(timeout: .seconds(30)) { try await f.downstreamRows(columns: "id") == ["1"] })

        // Nothing to resolve yet.
        var out = try await f.ctl(["binlog", "skip", "test"])
        #expect(out.status == 1 && out.json["result"] as? Bool == false, "\(out.text)")
        out = try await f.ctl(["binlog", "replace", "test"])
        #expect(out.status == 2, "replace without SQL is a usage error: \(out.text)")

        // 1. An unsupported DDL pauses the subtask; later rows wait behind it.
        try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD CONSTRAINT chk CHECK (id > 0)")
        try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (2), (3)")
        var failed: (error: String, position: String)?
        #expect(try await eventually(timeout: .seconds(30)) {
            failed = try await Self.failure(f)
            return failed != nil
        }, "the subtask pauses on the DDL")
        let first = try #require(failed)
        #expect(first.error.contains("unsupported_ddl") && first.error.contains("CHECK constraint"), "\(first.error)")
        let (file, pos) = try #require(Self.split(first.position))
        #expect(first.error.contains("at (\(file), \(pos))"), "the error names the position: \(first.error)")
        #expect(try await f.downstreamRows(columns: "id") == ["1"])

        out = try await f.ctl(["binlog", "skip", "test"])
        #expect(out.status == 0, "\(out.text)")
        let skipped = (out.json["sources"] as? [[String: Any]])?.first
        #expect(skipped?["binlog_pos"] as? String == first.position && skipped?["op"] as? String == "skip", "\(out.text)")
        out = try await f.ctl(["binlog", "list", "test"])
        #expect((out.json["operations"] as? [[String: Any]])?.count == 1, "\(out.text)")
        out = try await f.ctl(["resume-task", "test"])
        #expect(out.status == 0, "\(out.text)")
        let skippedThrough = try await eventually(timeout: .seconds(30)) {
            try await f.downstreamRows(columns: "id") == ["1", "2", "3"]
        }
        let afterSkip = (try? await f.subtaskError("test")) ?? nil
        #expect(skippedThrough, "rows after the skipped DDL arrive; error \(String(describing: afterSkip))")
        #expect(try await eventually(timeout: .seconds(30)) { try await f.isSyncing("test") })

        // 2. Another unsupported DDL that also adds a column: replaced by the plain ADD COLUMN.
        try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD COLUMN c INT, ADD CONSTRAINT chk2 CHECK (c > 0)")
        try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (4, 40)")
        #expect(try await eventually(timeout: .seconds(30)) {
            failed = try await Self.failure(f)
            return failed.map { $0.position != first.position } ?? false
        }, "the subtask pauses on the second DDL")
        let second = try #require(failed)
        #expect(second.error.contains("chk2"), "\(second.error)")
        out = try await f.ctl(["binlog", "replace", "test", "-b", second.position, "ALTER TABLE shardddl1.tb1 ADD COLUMN c INT"])
        #expect(out.status == 0, "\(out.text)")
        out = try await f.ctl(["resume-task", "test"])
        #expect(out.status == 0, "\(out.text)")
        let replacedThrough = try await eventually(timeout: .seconds(30)) {
            try await f.downstreamRows(columns: "id, c") == ["1|NULL", "2|NULL", "3|NULL", "4|40"]
        }
        let afterReplace = (try? await f.subtaskError("test")) ?? nil
        #expect(replacedThrough, "the replacement added the column; error \(String(describing: afterReplace))")
        try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (5, 50)")
        #expect(try await eventually(timeout: .seconds(30)) { try await f.consistent(tables) })

        // Both operations are listed until reverted; passed ones are inert.
        out = try await f.ctl(["binlog", "list", "test"])
        #expect((out.json["operations"] as? [[String: Any]])?.count == 2, "\(out.text)")
        out = try await f.ctl(["binlog", "revert", "test", "-b", first.position])
        #expect(out.status == 0, "\(out.text)")
        out = try await f.ctl(["binlog", "revert", "test"])
        #expect(out.status == 0, "\(out.text)")
        out = try await f.ctl(["binlog", "list", "test"])
        #expect((out.json["operations"] as? [[String: Any]])?.isEmpty == true, "\(out.text)")
        #expect(try await f.isSyncing("test"))

        // 3. A row the downstream rejects pauses the subtask with the server's error (no retrying
        // forever). The operator fixes the downstream; `resume-task` runs the subtask again although
        // the master never stopped expecting it Running.
        _ = try await f.downstreamQuery("ALTER TABLE shardddl.tb ADD UNIQUE KEY uc (c)")
        try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (6, 50)")
        var rejected: String?
        #expect(try await eventually(timeout: .seconds(30)) {
            let status = try await f.ctl(["query-status", "test"]).json["status"] as? [String: Any]
            let s = (status?["subtasks"] as? [[String: Any]])?.first?["status"] as? [String: Any]
            rejected = s?["error"] as? String
            return s?["stage"] as? String == "Paused" && rejected?.contains("Duplicate entry") == true
        }, "the rejected row pauses the subtask: \(String(describing: rejected))")
        #expect(try await !f.downstreamRows(columns: "id").contains("6"))
        _ = try await f.downstreamQuery("ALTER TABLE shardddl.tb DROP KEY uc")
        out = try await f.ctl(["resume-task", "test"])
        #expect(out.status == 0, "\(out.text)")
        #expect(try await eventually(timeout: .seconds(30)) { try await f.consistent(tables) }, "resume-task applies the row")
        #expect(try await eventually(timeout: .seconds(30)) { try await f.isSyncing("test") })
    }

    static func split(_ position: String) -> (String, String)? {
        guard let cut = position.lastIndex(of: ":") else { return nil }
        return (String(position[..<cut]), String(position[position.index(after: cut)...]))
    }
}
}
