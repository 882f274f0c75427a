import BraidTestSupport
import Foundation
import Testing

@testable import Master

@Suite("Master API: sources, tasks, cluster, locks")
struct SourceAndTaskTests {
    @Test func sourceAndTaskLifecycle() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                var r = try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"127.0.0.1:8262"}"#)
                #expect(r.status == 200)
                #expect(object(r.body)["keepalive_ttl_ms"] as? Int == 10_000)

                r = try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                #expect(r.status == 201, "\(r.body)")
                #expect(object(r.body)["worker"] as? String == "w1")
                r = try await client.call(
                    .post, "/api/v1/sources",
                    json: #"{"source_id":"s2","from":{"host":"db2","port":3306,"user":"u","password":"\#(Fixtures.password)"}}"#)
                #expect(r.status == 201, "\(r.body)")
                #expect(object(r.body)["worker"] == nil)

                r = try await client.call(.get, "/api/v1/sources")
                #expect(array(r.body).map { $0["source_id"] as? String } == ["s1", "s2"])
                r = try await client.call(.get, "/api/v1/sources/s1")
                #expect(r.status == 200)
                #expect(((object(r.body)["config"] as? [String: Any])?["from"] as? [String: Any])?["password"] as? String == "******")

                r = try await client.call(.put, "/api/v1/sources/s2",
                    json: #"{"source_id":"s2","from":{"host":"db2b","port":3307,"user":"u"}}"#)
                #expect(r.status == 200, "\(r.body)")

                r = try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1", sources: ["s1"]))
                #expect(r.status == 201, "\(r.body)")
                #expect(object(r.body)["shard_mode"] as? String == "pessimistic")
                r = try await client.call(.get, "/api/v1/tasks/t1")
                #expect((object(r.body)["subtasks"] as? [[String: Any]])?.first?["expected_stage"] as? String == "Running")

                r = try await client.call(.post, "/api/v1/worker-protocol/w1/subtask-status",
                    json: #"{"task":"t1","source":"s1","stage":"Running","processed_rows":7}"#)
                #expect(r.status == 204, "\(r.body)")
                r = try await client.call(.get, "/api/v1/sources/s1/status")
                let sub = (object(r.body)["subtasks"] as? [[String: Any]])?.first
                #expect((sub?["status"] as? [String: Any])?["processed_rows"] as? Int == 7)

                r = try await client.call(.post, "/api/v1/tasks/t1/pause")
                #expect((object(r.body)["subtasks"] as? [[String: Any]])?.first?["expected_stage"] as? String == "Paused")
                r = try await client.call(.post, "/api/v1/tasks/t1/resume?source=s1")
                #expect((object(r.body)["subtasks"] as? [[String: Any]])?.first?["expected_stage"] as? String == "Running")
                r = try await client.call(.get, "/api/v1/tasks")
                #expect(array(r.body).count == 1)

                // The source is in use: deleting it is an invalid transition.
                r = try await client.call(.delete, "/api/v1/sources/s1")
                #expect(r.status == 409, "\(r.body)")

                // Restarting the task without remove_meta conflicts; with it, the task is replaced.
                r = try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1", sources: ["s1"]))
                #expect(r.status == 409)
                r = try await client.call(.post, "/api/v1/tasks", json: """
                    {"task_yaml": \(String(data: try JSONEncoder().encode(Fixtures.taskYAML("t1", sources: ["s1"])), encoding: .utf8)!), "remove_meta": true}
                    """)
                #expect(r.status == 201, "\(r.body)")

                r = try await client.call(.delete, "/api/v1/tasks/t1")
                #expect(r.status == 204)
                r = try await client.call(.delete, "/api/v1/sources/s1")
                #expect(r.status == 204, "\(r.body)")

                r = try await client.call(.get, "/api/v1/cluster/masters")
                #expect(array(r.body).first?["leader"] as? Bool == true)
                #expect(array(r.body).first?["term"] as? Int == Int(master.runtime.host.term))
                r = try await client.call(.get, "/api/v1/cluster/workers")
                // s1 is gone, so the still-unbound s2 went to w1.
                #expect(array(r.body).first?["stage"] as? String == "bound")

                r = try await client.call(.post, "/api/v1/worker-protocol/w1/stop")
                #expect(r.status == 204)
                r = try await client.call(.delete, "/api/v1/cluster/workers/w1")
                #expect(r.status == 204, "\(r.body)")

                r = try await client.call(.get, "/api/v1/openapi.yaml")
                #expect(r.status == 200 && r.body.contains("Braid master API"))
                r = try await client.call(.get, "/metrics")
                #expect(r.status == 200 && r.body.contains("braid_master_last_sequence"))
            }
        }
    }

    @Test func transferSourceAndPessimisticLockRoundTrip() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                for w in ["w1", "w2", "w3"] {
                    try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"\#(w)","address":"\#(w):1"}"#)
                }
                try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s2"))
                var r = try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1", sources: ["s1", "s2"]))
                #expect(r.status == 201, "\(r.body)")

                r = try await client.call(.post, "/api/v1/sources/s1/transfer", json: #"{"worker_name":"w3"}"#)
                #expect(r.status == 200, "\(r.body)")
                #expect(object(r.body)["worker"] as? String == "w3")
                r = try await client.call(.post, "/api/v1/sources/s1/transfer", json: #"{"worker_name":"w2"}"#)
                #expect(r.status == 409, "w2 is bound to s2: \(r.body)")

                // A pessimistic lock: both sources report; the owner executes, the other skips.
                let info = #"{"task":"t1","source":"SRC","schema":"db","table":"tb","ddls":["ALTER TABLE tb ADD COLUMN c INT"]}"#
                r = try await client.call(.post, "/api/v1/worker-protocol/w3/pessimistic-info", json: info.replacingOccurrences(of: "SRC", with: "s1"))
                #expect(r.status == 200, "\(r.body)")
                r = try await client.call(.post, "/api/v1/worker-protocol/w3/pessimistic-info", json: info.replacingOccurrences(of: "SRC", with: "s2"))
                #expect(r.status == 409, "w3 does not hold s2: \(r.body)")
                r = try await client.call(.post, "/api/v1/worker-protocol/w2/pessimistic-info", json: info.replacingOccurrences(of: "SRC", with: "s2"))
                #expect(r.status == 200, "\(r.body)")

                r = try await client.call(.get, "/api/v1/shard-ddl-locks?task=t1")
                let lock = try #require(array(r.body).first)
                #expect(lock["mode"] as? String == "pessimistic")
                #expect(lock["owner"] as? String == "s1")
                let lockID = try #require(lock["id"] as? String)

                r = try await client.call(.get, "/api/v1/worker-protocol/w3/watch?timeout_ms=0")
                let ops = object(r.body)["operations"] as? [[String: Any]] ?? []
                #expect(ops.count == 1 && ops.first?["exec"] as? Bool == true)
                let serial = ops.first?["lock_serial"] as? Int ?? 0
                r = try await client.call(.post, "/api/v1/worker-protocol/w3/operation-done",
                    json: #"{"mode":"pessimistic","lock_id":"\#(lockID)","source":"s1","lock_serial":\#(serial)}"#)
                #expect(r.status == 200, "\(r.body)")
                r = try await client.call(.get, "/api/v1/worker-protocol/w2/watch?timeout_ms=0")
                let skip = (object(r.body)["operations"] as? [[String: Any]])?.first
                #expect(skip?["exec"] as? Bool == false)
                r = try await client.call(.post, "/api/v1/worker-protocol/w2/operation-done",
                    json: #"{"mode":"pessimistic","lock_id":"\#(lockID)","source":"s2","lock_serial":\#(serial)}"#)
                #expect(r.status == 200, "\(r.body)")
                r = try await client.call(.get, "/api/v1/shard-ddl-locks")
                #expect(array(r.body).isEmpty, "\(r.body)")

                r = try await client.call(.post, "/api/v1/shard-ddl-locks/unlock", json: #"{"lock_id":"\#(lockID)"}"#)
                #expect(r.status == 404)

                // Checkpoints are fenced by the binding epoch.
                r = try await client.call(.get, "/api/v1/sources/s2")
                let epoch = object(r.body)["binding_epoch"] as? Int ?? 0
                r = try await client.call(.post, "/api/v1/worker-protocol/w2/checkpoint",
                    json: #"{"task":"t1","source":"s2","binding_epoch":\#(epoch),"binlog_name":"mysql-bin.000002","binlog_pos":400}"#)
                #expect(r.status == 200, "\(r.body)")
                r = try await client.call(.post, "/api/v1/worker-protocol/w2/checkpoint",
                    json: #"{"task":"t1","source":"s2","binding_epoch":\#(epoch - 1),"binlog_name":"mysql-bin.000002","binlog_pos":500}"#)
                #expect(r.status == 409, "\(r.body)")
            }
        }
    }
}
