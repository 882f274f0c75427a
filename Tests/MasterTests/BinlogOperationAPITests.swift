import BraidTestSupport
import Foundation
import Testing

/// `binlog skip|replace|list|revert` over HTTP: validation, the log as the source of truth, and
/// delivery to the bound worker through its watch view.
@Suite struct BinlogOperationAPITests {
    @Test func validateRecordListDeliverAndRevert() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                try await client.registerWorkerAndSource()
                var r = try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1", sources: ["s1"]))
                #expect(r.status == 201, "\(r.body)")
                let path = "/api/v1/tasks/t1/binlog-operations"

                func refused(_ uri: String, _ json: String) async throws -> (Int, String?) {
                    let r = try await client.call(.post, uri, json: json)
                    return (r.status, object(r.body)["field"] as? String)
                }
                #expect(try await refused("/api/v1/tasks/nope/binlog-operations", #"{"source":"s1","binlog_pos":"mysql-bin.000001:4","action":"skip"}"#).0 == 404)
                #expect(try await refused(path, #"{"source":"s9","binlog_pos":"mysql-bin.000001:4","action":"skip"}"#).0 == 404)
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001","action":"skip"}"#) == (400, "binlog_pos"))
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001:x","action":"skip"}"#) == (400, "binlog_pos"))
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001:0","action":"skip"}"#) == (400, "binlog_pos"))
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001:4","action":"replace"}"#) == (400, "sqls"))
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001:4","action":"replace","sqls":[]}"#) == (400, "sqls"))
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001:4","action":"skip","sqls":["DROP TABLE x"]}"#) == (400, "sqls"))
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001:4","action":"replace","sqls":["ALTER TABLE tb1 ADD COLUMN c INT","ALTER TABLE nope ADD d INT"]}"#) == (400, "sqls[1]"))
                #expect(try await refused(path, #"{"source":"s1","binlog_pos":"mysql-bin.000001:4","action":"replace","sqls":["ALTER TABLE tb1 ADD FOREIGN KEY (id) REFERENCES p(id)"]}"#) == (400, "sqls[0]"))
                r = try await client.call(.get, path)
                #expect(r.status == 200 && array(r.body).isEmpty, "nothing was recorded: \(r.body)")

                r = try await client.call(.post, path, json: #"{"source":"s1","binlog_pos":"mysql-bin.000001:8964","action":"skip"}"#)
                #expect(r.status == 201, "\(r.body)")
                r = try await client.call(
                    .post, path,
                    json: #"{"source":"s1","binlog_pos":"(mysql-bin.000002, 120)","action":"replace","sqls":["ALTER TABLE tb1 ADD COLUMN c INT","ALTER TABLE tb1 ADD COLUMN d INT"]}"#)
                #expect(r.status == 201, "\(r.body)")
                #expect(object(r.body)["binlog_pos"] as? String == "mysql-bin.000002:120")

                r = try await client.call(.get, path)
                let listed = array(r.body)
                #expect(listed.map { $0["binlog_pos"] as? String } == ["mysql-bin.000001:8964", "mysql-bin.000002:120"])
                #expect(listed.map { $0["action"] as? String } == ["skip", "replace"])
                #expect((listed[1]["sqls"] as? [String])?.count == 2)
                r = try await client.call(.get, path + "?source=s9")
                #expect(r.status == 404)

                // The worker's watch view carries the subtask's operations.
                r = try await client.call(.get, "/api/v1/worker-protocol/w1/watch?timeout_ms=0")
                let subtasks = object(r.body)["subtasks"] as? [[String: Any]] ?? []
                let delivered = subtasks.first?["binlog_operations"] as? [[String: Any]] ?? []
                #expect(delivered.map { $0["binlog_pos"] as? String } == ["mysql-bin.000001:8964", "mysql-bin.000002:120"], "\(r.body)")

                // The log is the source of truth.
                r = try await client.call(.get, "/api/v1/log")
                #expect(r.body.contains("task.binlogOperationSet"), "\(r.body.prefix(400))")

                r = try await client.call(.delete, path + "?source=s1&binlog_pos=mysql-bin.000001:8964")
                #expect(r.status == 200 && array(r.body).count == 1, "\(r.body)")
                r = try await client.call(.delete, path + "?source=s1&binlog_pos=mysql-bin.000001:8964")
                #expect(r.status == 404, "\(r.body)")
                r = try await client.call(.delete, path + "?source=s1&binlog_pos=bad")
                #expect(r.status == 400 && object(r.body)["field"] as? String == "binlog_pos", "\(r.body)")
                r = try await client.call(.delete, path + "?source=s1")
                #expect(r.status == 200 && array(r.body).count == 1, "\(r.body)")
                r = try await client.call(.get, path)
                #expect(array(r.body).isEmpty)
            }
        }
    }
}
