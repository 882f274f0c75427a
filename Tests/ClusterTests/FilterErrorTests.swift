import BraidTestSupport
import Foundation
import Testing

/// A binlog event filter with `action: Error` end to end: a matching event pauses the subtask with an
/// error naming the rule and the event's position; `binlog skip` passes it. `braid ctl start-task` prints
/// the task's unknown keys as warnings.
extension ClusterSuites {
@Suite struct FilterErrorTests {
    @Test func errorFilterPausesTheSubtaskNamingTheRule() async throws {
        try await ShardMergeFixture.with(label: "filter-error") { f in
            let tables: [(source: Int, table: String)] = [(0, "shardddl1.tb1")]
            try await f.createTables(tables, definition: "(id INT PRIMARY KEY)")
            let path = try f.writeTask("test", shardMode: nil, sources: [ShardMergeFixture.sources[0]])
            var yaml = try String(contentsOfFile: path, encoding: .utf8)
            yaml = yaml.replacingOccurrences(
                of: "    syncer-config-name: global\n", with: "    syncer-config-name: global\n    filter-rules: [refuse-truncate]\n")
            yaml = """
                filters:
                  refuse-truncate: {schema-pattern: "shardddl*", events: ["truncate table"], action: Error}
                fancy-knob: 1

                """ + yaml
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)

            let strict = try await f.ctl(["start-task", path, "--strict"])
            #expect(strict.status == 1 && (strict.json["msg"] as? String ?? "").contains("fancy-knob"), "\(strict.text)")
            let started = try await f.ctl(["start-task", path])
            #expect(started.status == 0, "\(started.text)")
            #expect((started.json["warnings"] as? [String])?.contains("fancy-knob: unknown key, ignored") == true, "\(started.text)")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") }, "the subtask syncs")

            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (1)")
            try await f.exec(0, "TRUNCATE TABLE shardddl1.tb1")
            try await f.exec(0, "INSERT INTO shardddl1.tb1 VALUES (2)")
            var failed: (error: String, position: String)?
            #expect(try await eventually(timeout: .seconds(30)) {
                failed = try await BinlogOperationTests.failure(f)
                return failed != nil
            }, "the subtask pauses on the TRUNCATE")
            let failure = try #require(failed)
            #expect(failure.error.contains("filter_error") && failure.error.contains("\"refuse-truncate\""), "\(failure.error)")
            #expect(try await f.downstreamRows(columns: "id") == ["1"], "nothing after the refused event is applied")

            let skipped = try await f.ctl(["binlog", "skip", "test"])
            #expect(skipped.status == 0, "\(skipped.text)")
            #expect(try await f.ctl(["resume-task", "test"]).status == 0)
            #expect(try await eventually(timeout: .seconds(30)) {
                try await f.downstreamRows(columns: "id") == ["1", "2"]
            }, "the TRUNCATE is skipped and the rows after it arrive")
        }
    }
}
}
