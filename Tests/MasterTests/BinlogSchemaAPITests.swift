import BraidTestSupport
import Foundation
import Testing

/// `binlog-schema update|delete` over HTTP: DM's paths, refused unless the subtask is paused, the
/// statement checked before anything is recorded, the log as the source of truth, and delivery to the
/// bound worker in its watch view. (Reads need the downstream: see ClusterTests' BinlogSchemaTests.)
@Suite struct BinlogSchemaAPITests {
    @Test func recordOnlyWhilePausedAndDeliver() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                try await client.registerWorkerAndSource()
                var r = try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1", sources: ["s1"]))
                #expect(r.status == 201, "\(r.body)")
                let path = "/api/v1/tasks/t1/sources/s1/schemas/db1/tb1"
                let create = #"{"schema_source":"sql","sql_content":"CREATE TABLE tb1 (a INT PRIMARY KEY, b VARCHAR(10))"}"#

                r = try await client.call(.put, path, json: create)
                #expect(r.status == 409 && (object(r.body)["message"] as? String ?? "").contains("subtaskNotPaused"), "\(r.body)")
                r = try await client.call(.put, "/api/v1/tasks/nope/sources/s1/schemas/db1/tb1", json: create)
                #expect(r.status == 404, "\(r.body)")
                r = try await client.call(.put, "/api/v1/tasks/t1/sources/s9/schemas/db1/tb1", json: create)
                #expect(r.status == 404, "\(r.body)")

                r = try await client.call(.post, "/api/v1/tasks/t1/pause")
                #expect(r.status == 200, "\(r.body)")
                r = try await client.call(.put, path, json: #"{"schema_source":"sql"}"#)
                #expect(r.status == 400 && object(r.body)["field"] as? String == "sql_content", "\(r.body)")
                r = try await client.call(.put, path, json: #"{"sql_content":"ALTER TABLE tb1 ADD COLUMN c INT"}"#)
                #expect(r.status == 400 && object(r.body)["field"] as? String == "sql_content", "\(r.body)")
                r = try await client.call(.put, path, json: create)
                #expect(r.status == 200, "\(r.body)")
                let set = object(r.body)
                #expect(set["schema_name"] as? String == "db1" && set["table_name"] as? String == "tb1" && set["pending"] as? Bool == true)
                #expect((set["schema_create_sql"] as? String ?? "").hasPrefix("CREATE TABLE `tb1` (`a` INT"), "\(r.body)")
                r = try await client.call(.delete, "/api/v1/tasks/t1/sources/s1/schemas/db1/tb2")
                #expect(r.status == 204, "\(r.body)")

                // The worker's view carries both operations, in id order.
                r = try await client.call(.get, "/api/v1/worker-protocol/w1/watch?timeout_ms=0")
                let subtasks = object(r.body)["subtasks"] as? [[String: Any]] ?? []
                let delivered = subtasks.first?["schema_operations"] as? [[String: Any]] ?? []
                #expect(delivered.map { $0["id"] as? Int } == [1, 2], "\(r.body)")
                #expect(delivered.map { $0["table"] as? String } == ["tb1", "tb2"])
                #expect(delivered[0]["create_table"] as? String == "CREATE TABLE tb1 (a INT PRIMARY KEY, b VARCHAR(10))")
                #expect(delivered.count == 2 && delivered[1]["create_table"] == nil)

                r = try await client.call(.get, "/api/v1/log")
                #expect(r.body.contains("task.schemaOperationSet"), "\(r.body.prefix(400))")
            }
        }
    }
}
