import BraidTestSupport
import Foundation
import Testing

/// `binlog-schema list|update|delete` end to end with real MariaDB servers and braid processes: a
/// subtask whose tracked schema is wrong stops on a row it cannot decode; the operator sets the
/// schema, resumes, and the rows land.
extension ClusterSuites {
@Suite struct BinlogSchemaTests {
    static let source = ShardMergeFixture.sources[0]

    /// DM_DIFFERENT_SCHEMA_INCREMENTAL's shape: the schema is saved while the task runs, the task is
    /// re-created from an older binlog position (so the schema is read from today's table, newer than
    /// the binlog's rows), the subtask stops on a column count mismatch, and `binlog-schema update` with
    /// the saved schema plus `resume-task` brings every row over, the later ALTER included.
    @Test func updateFromAFileFixesAStartFromAnOlderPosition() async throws {
        try await ShardMergeFixture.with(label: "binlog-schema-file") { f in
            try await f.createTables([(0, "shardddl1.tb1")])
            let task = try f.writeTask("test", shardMode: nil, sources: [Self.source])
            #expect(try await f.ctl(["start-task", task, "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1, 'a')")
            #expect(try await eventually { try await f.downstreamRows(columns: "id") == ["1"] })

            #expect(try await f.ctl(["pause-task", "test"]).status == 0)
            let databases = try await f.ctl(["binlog-schema", "list", "test", "-s", Self.source])
            #expect(Self.entry(databases)?["schemas"] as? [String] == ["shardddl1"], "\(databases.text)")
            let tables = try await f.ctl(["binlog-schema", "list", "test", "shardddl1", "-s", Self.source])
            #expect(Self.entry(tables)?["tables"] as? [String] == ["tb1"], "\(tables.text)")
            let saved = try #require(try await Self.trackedSchema(f))
            #expect(saved.contains("`v`") && !saved.contains("`n`"), "\(saved)")
            let schemaFile = f.cluster.root + "/tb1.sql"
            try saved.write(toFile: schemaFile, atomically: true, encoding: .utf8)

            let position = try await Self.masterStatus(f)
            #expect(try await f.ctl(["stop-task", "test"]).status == 0)
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (2, 'b')")
            try await f.exec(0, "ALTER TABLE shardddl1.tb1 ADD COLUMN n INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (3, 'c', 3)")

            // Today's table (with n) is what a fresh start tracks, but the binlog from `position` has row 2
            // without it. A new task name starts from a fresh checkpoint (DM's test uses --remove-meta).
            let restart = try Self.startingAt(position, task: task, name: "test2")
            #expect(try await f.ctl(["start-task", restart]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) {
                try await f.subtaskError("test2")?.contains("schema_mismatch") ?? false
            })

            let updated = try await f.ctl(["binlog-schema", "update", "test2", "shardddl1", "tb1", schemaFile, "-s", Self.source])
            #expect(updated.status == 0, "\(updated.text)")
            let pending = try await f.ctl(["binlog-schema", "list", "test2", "shardddl1", "tb1", "-s", Self.source])
            #expect(Self.entry(pending)?["pending"] as? Bool == true, "\(pending.text)")
            #expect(Self.entry(pending)?["schema"] as? String == saved)

            #expect(try await f.ctl(["resume-task", "test2"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "id") == ["1", "2", "3"] })
            #expect(try await f.downstreamRows(columns: "id, v, n") == ["1|a|NULL", "2|b|NULL", "3|c|3"])
            #expect(try await f.subtaskError("test2") == nil)
            // The subtask applied the update and then the ALTER it re-read: n is tracked again, nothing pending.
            #expect(try await eventually {
                let now = try await f.ctl(["binlog-schema", "list", "test2", "shardddl1", "tb1", "-s", Self.source])
                return Self.entry(now)?["pending"] == nil && (Self.entry(now)?["schema"] as? String)?.contains("`n`") == true
            })
        }
    }

    /// A column added by hand upstream (binlog off) and downstream leaves the tracked schema behind:
    /// the subtask stops on the next row. `update --from-target` is refused while the subtask runs,
    /// accepted once its error paused it, and `resume-task` applies it. `delete` under `pause-task`
    /// makes the subtask re-read the table upstream when it resumes.
    @Test func updateFromTargetAndDeleteAfterAManualAlter() async throws {
        try await ShardMergeFixture.with(label: "binlog-schema-target") { f in
            try await f.createTables([(0, "shardddl1.tb1")])
            let task = try f.writeTask("test", shardMode: nil, sources: [Self.source])
            #expect(try await f.ctl(["start-task", task, "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") })
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1, 'a')")
            #expect(try await eventually { try await f.downstreamRows(columns: "id") == ["1"] })

            let refused = try await f.ctl(["binlog-schema", "update", "test", "shardddl1", "tb1", "--from-target", "-s", Self.source])
            #expect(refused.status != 0 && Self.entry(refused)?["code"] as? String == "conflict", "\(refused.text)")

            let upstream = try await f.upstreams[0].connect()
            try await upstream.execute("SET SESSION sql_log_bin = 0")
            try await upstream.execute("ALTER TABLE shardddl1.tb1 ADD COLUMN n INT")
            await upstream.close()
            _ = try await f.downstreamQuery("ALTER TABLE shardddl.tb ADD COLUMN n INT")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (2, 'b', 2)")
            #expect(try await eventually(timeout: .seconds(60)) {
                try await f.subtaskError("test")?.contains("schema_mismatch") ?? false
            })

            // --from-source reads the upstream table (which has n); --from-target, recorded after it, replaces it.
            let fromSource = try await f.ctl(["binlog-schema", "update", "test", "shardddl1", "tb1", "--from-source", "-s", Self.source])
            #expect(fromSource.status == 0, "\(fromSource.text)")
            let sourceSchema = Self.entry(fromSource)?["schema"] as? String ?? ""
            #expect(sourceSchema.hasPrefix("CREATE TABLE `tb1` (`id` INT") && sourceSchema.contains("`n` INT"), "\(fromSource.text)")
            let updated = try await f.ctl(["binlog-schema", "update", "test", "shardddl1", "tb1", "--from-target", "-s", Self.source])
            #expect(updated.status == 0, "\(updated.text)")
            #expect((Self.entry(updated)?["schema"] as? String)?.contains("`n`") == true, "\(updated.text)")
            #expect(try await f.ctl(["resume-task", "test"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "id, n") == ["1|NULL", "2|2"] })
            #expect(try await f.subtaskError("test") == nil)

            // delete under pause-task: the suspended subtask restarts and re-reads SHOW CREATE TABLE upstream.
            #expect(try await f.ctl(["pause-task", "test"]).status == 0)
            let deleted = try await f.ctl(["binlog-schema", "delete", "test", "shardddl1", "tb1", "-s", Self.source])
            #expect(deleted.status == 0, "\(deleted.text)")
            let gone = try await f.ctl(["binlog-schema", "list", "test", "shardddl1", "tb1", "-s", Self.source])
            #expect(Self.entry(gone)?["code"] as? String == "not_found", "\(gone.text)")
            #expect(try await f.ctl(["resume-task", "test"]).status == 0)
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (3, 'c', 3)")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "id, n") == ["1|NULL", "2|2", "3|3"] })
            #expect(try await eventually {
                let now = try await f.ctl(["binlog-schema", "list", "test", "shardddl1", "tb1", "-s", Self.source])
                return (Self.entry(now)?["schema"] as? String)?.contains("`n`") == true
            })
            #expect(try await f.subtaskError("test") == nil)
        }
    }

    /// DM_DIFFERENT_SCHEMA_INCREMENTAL itself (optimistic, 2 sources × 2 tables that start with four
    /// different schemas): schemas saved under `pause-task`, the task re-created from the old positions
    /// after more rows and DDLs, every subtask stopped by a column count mismatch, the four saved schemas
    /// set back with `binlog-schema update`, `resume-task`, and all 24 rows merged with the joined schema.
    @Test func differentSchemaIncremental() async throws {
        try await ShardMergeFixture.with(label: "binlog-schema-dm") { f in
            let sources = ShardMergeFixture.sources
            let definitions = [
                (0, "tb1", "(a INT PRIMARY KEY)"), (0, "tb2", "(a INT PRIMARY KEY, b VARCHAR(10))"),
                (1, "tb1", "(a INT PRIMARY KEY, c TEXT)"), (1, "tb2", "(a INT PRIMARY KEY, b VARCHAR(10), c TEXT)"),
            ]
            for (source, table, definition) in definitions {
                try await f.exec(source, "CREATE DATABASE IF NOT EXISTS shardddl1")
                try await f.exec(source, "CREATE TABLE shardddl1.\(table) \(definition)")
            }
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1)")
            try await f.exec(0, "INSERT INTO shardddl1.tb2 VALUES (2, '22')")
            try await f.exec(1, "INSERT INTO shardddl1.tb1 VALUES (3, '333')")
            try await f.exec(1, "INSERT INTO shardddl1.tb2 VALUES (4, '44', '444')")
            _ = try await f.downstreamQuery("CREATE DATABASE shardddl")
            _ = try await f.downstreamQuery("CREATE TABLE shardddl.tb (a INT PRIMARY KEY, b VARCHAR(10), c TEXT)")
            let positions = [try await Self.masterStatus(f, source: 0), try await Self.masterStatus(f, source: 1)]
            let task = try f.writeTask("test", shardMode: "optimistic", taskMode: "all")
            #expect(try await f.ctl(["start-task", task, "--remove-meta"]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) { try await f.downstreamRows(columns: "a").count == 4 })

            #expect(try await f.ctl(["pause-task", "test"]).status == 0)
            var files: [String: String] = [:]
            for (source, table, _) in definitions {
                let reply = try await f.ctl(["binlog-schema", "list", "test", "shardddl1", table, "-s", sources[source]])
                let schema = try #require(Self.entry(reply)?["schema"] as? String, "\(reply.text)")
                let file = f.cluster.root + "/schema\(source)\(table).sql"
                try schema.write(toFile: file, atomically: true, encoding: .utf8)
                files["\(source)\(table)"] = file
            }
            #expect(try await f.ctl(["stop-task", "test"]).status == 0)

            let script: [(Int, String)] = [
                (0, "INSERT INTO shardddl1.tb1 VALUES (5)"), (0, "INSERT INTO shardddl1.tb2 VALUES (6, '6')"),
                (1, "INSERT INTO shardddl1.tb1 VALUES (7, '77')"), (1, "INSERT INTO shardddl1.tb2 VALUES (8, '8', '88')"),
                (0, "ALTER TABLE shardddl1.tb1 ADD COLUMN c TEXT"),
                (0, "INSERT INTO shardddl1.tb1 VALUES (9, '999')"), (0, "INSERT INTO shardddl1.tb2 VALUES (10, '1010')"),
                (1, "INSERT INTO shardddl1.tb1 VALUES (11, '111111')"), (1, "INSERT INTO shardddl1.tb2 VALUES (12, '1212', '121212')"),
                (1, "ALTER TABLE shardddl1.tb2 DROP COLUMN b"),
                (0, "INSERT INTO shardddl1.tb1 VALUES (13, '131313')"), (0, "INSERT INTO shardddl1.tb2 VALUES (14, '1414')"),
                (1, "INSERT INTO shardddl1.tb1 VALUES (15, '151515')"), (1, "INSERT INTO shardddl1.tb2 VALUES (16, '161616')"),
                (0, "ALTER TABLE shardddl1.tb2 DROP COLUMN b"),
                (0, "INSERT INTO shardddl1.tb1 VALUES (17, '171717')"), (0, "INSERT INTO shardddl1.tb2 VALUES (18)"),
                (1, "INSERT INTO shardddl1.tb1 VALUES (19, '191919')"), (1, "INSERT INTO shardddl1.tb2 VALUES (20, '202020')"),
                (0, "ALTER TABLE shardddl1.tb2 ADD COLUMN c TEXT"),
                (0, "INSERT INTO shardddl1.tb1 VALUES (21, '212121')"), (0, "INSERT INTO shardddl1.tb2 VALUES (22, '222222')"),
                (1, "INSERT INTO shardddl1.tb1 VALUES (23, '232323')"), (1, "INSERT INTO shardddl1.tb2 VALUES (24, '242424')"),
            ]
            for (source, sql) in script { try await f.exec(source, sql) }

            // Re-created from the positions after the first four rows: today's schemas are not the binlog's.
            var yaml = try String(contentsOfFile: task, encoding: .utf8).replacingOccurrences(of: "name: \"test\"", with: "name: \"test2\"")
                .replacingOccurrences(of: "task-mode: all", with: "task-mode: incremental")
            for (index, source) in sources.enumerated() {
                let line = "  - source-id: \"\(source)\"\n"
                yaml = yaml.replacingOccurrences(
                    of: line, with: line + "    meta:\n      binlog-name: \(positions[index].file)\n      binlog-pos: \(positions[index].pos)\n")
            }
            let task2 = f.cluster.root + "/test2.yaml"
            try yaml.write(toFile: task2, atomically: true, encoding: .utf8)
            #expect(try await f.ctl(["start-task", task2]).status == 0)
            #expect(try await eventually(timeout: .seconds(60)) {
                let status = try await f.ctl(["query-status", "test2"]).json["status"] as? [String: Any]
                let errors = (status?["subtasks"] as? [[String: Any]] ?? []).compactMap { ($0["status"] as? [String: Any])?["error"] as? String }
                return errors.count == 2 && errors.allSatisfy { $0.contains("schema_mismatch") }
            })

            for (source, table, _) in definitions {
                let reply = try await f.ctl(
                    ["binlog-schema", "update", "test2", "shardddl1", table, files["\(source)\(table)"]!, "-s", sources[source]])
                #expect(reply.status == 0, "\(reply.text)")
            }
            #expect(try await f.ctl(["resume-task", "test2"]).status == 0)
            #expect(try await eventually(timeout: .seconds(90)) { try await f.downstreamRows(columns: "a").count == 24 })
            let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1"), (0, "shardddl1.tb2"), (1, "shardddl1.tb1"), (1, "shardddl1.tb2")]
            #expect(try await eventually { try await f.consistent(tables, columns: "a, c") })
            #expect(try await f.subtaskError("test2") == nil)
        }
    }

    /// The per-source entry of a `binlog-schema` reply.
    static func entry(_ reply: (status: Int32, json: [String: Any], text: String)) -> [String: Any]? {
        (reply.json["sources"] as? [[String: Any]])?.first
    }

    static func trackedSchema(_ f: ShardMergeFixture) async throws -> String? {
        Self.entry(try await f.ctl(["binlog-schema", "list", "test", "shardddl1", "tb1", "-s", Self.source]))?["schema"] as? String
    }

    static func masterStatus(_ f: ShardMergeFixture, source: Int = 0) async throws -> (file: String, pos: String) {
        let connection = try await f.upstreams[source].connect()
        defer { Task { await connection.close() } }
        let row = try #require(try await connection.query("SHOW MASTER STATUS").rows.first)
        return (try #require(row.string(0)), try #require(row.string(1)))
    }

    /// The task file renamed `name`, with the source's `meta` set to `position`.
    static func startingAt(_ position: (file: String, pos: String), task: String, name: String) throws -> String {
        let yaml = try String(contentsOfFile: task, encoding: .utf8).replacingOccurrences(of: "name: \"test\"", with: "name: \"\(name)\"")
        let line = "  - source-id: \"\(Self.source)\"\n"
        let withMeta = yaml.replacingOccurrences(
            of: line, with: line + "    meta:\n      binlog-name: \(position.file)\n      binlog-pos: \(position.pos)\n")
        #expect(withMeta != yaml)
        let path = task.replacingOccurrences(of: ".yaml", with: "-from-position.yaml")
        try withMeta.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
}
