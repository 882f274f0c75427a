import BraidTestSupport
import Foundation
import Testing

@testable import Master

@Suite("Master API: config warnings, strict loading, unknown locks")
struct ConfigWarningsAPITests {
    @Test("unknown and ignored keys come back as warnings; strict refuses them with a 400 naming each key")
    func warningsAndStrict() async throws {
        try await withTemporaryDirectory("master-warnings") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                var r = try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"127.0.0.1:8262"}"#)
                #expect(r.status == 200)
                let source = Fixtures.sourceYAML("s1") + "\nfancy-source-knob: 3\npurge:\n  interval: 3600\n"

                r = try await client.call(.post, "/api/v1/sources?strict=true", yaml: source)
                #expect(r.status == 400, "\(r.body)")
                let refused = object(r.body)["message"] as? String ?? ""
                #expect(refused.contains("fancy-source-knob") && refused.contains("purge"), "\(refused)")

                r = try await client.call(.post, "/api/v1/sources", yaml: source)
                #expect(r.status == 201, "\(r.body)")
                let warnings = object(r.body)["warnings"] as? [String] ?? []
                #expect(warnings.contains("fancy-source-knob: unknown key, ignored"), "\(warnings)")
                #expect(warnings.contains { $0.hasPrefix("purge:") }, "\(warnings)")

                let task = Fixtures.taskYAML("t1", sources: ["s1"]) + "\n    syncer-thread: 8\nmystery: true\n"
                r = try await client.call(
                    .post, "/api/v1/tasks",
                    json: #"{"task_yaml": \#(String(decoding: try JSONEncoder().encode(task), as: UTF8.self)), "strict": true}"#)
                #expect(r.status == 400, "\(r.body)")
                let taskRefusal = object(r.body)["message"] as? String ?? ""
                #expect(taskRefusal.contains("mysql-instances[0].syncer-thread") && taskRefusal.contains("mystery"), "\(taskRefusal)")
                r = try await client.call(.get, "/api/v1/tasks")
                #expect(array(r.body).isEmpty, "a refused task is not started")

                r = try await client.call(.post, "/api/v1/tasks", yaml: task)
                #expect(r.status == 201, "\(r.body)")
                let taskWarnings = object(r.body)["warnings"] as? [String] ?? []
                #expect(taskWarnings.contains("mystery: unknown key, ignored"), "\(taskWarnings)")
                #expect(taskWarnings.contains { $0.hasPrefix("mysql-instances[0].syncer-thread:") }, "\(taskWarnings)")
                // Only the reply to the request that sent the YAML carries warnings.
                r = try await client.call(.get, "/api/v1/tasks/t1")
                #expect(object(r.body)["warnings"] == nil)
            }
        }
    }

    @Test("a contradictory is-sharding is a 400 naming the field; an unknown lock is DM's 404 wording")
    func contradictionAndUnknownLock() async throws {
        try await withTemporaryDirectory("master-contradiction") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                let task = Fixtures.taskYAML("t1", sources: ["s1"], mode: "optimistic").replacingOccurrences(
                    of: "task-mode: incremental", with: "task-mode: incremental\nis-sharding: false")
                var r = try await client.call(.post, "/api/v1/tasks", yaml: task)
                #expect(r.status == 400, "\(r.body)")
                #expect(object(r.body)["field"] as? String == "is-sharding")

                r = try await client.call(.post, "/api/v1/shard-ddl-locks/unlock", json: #"{"lock_id":"t1-`db`.`tb`"}"#)
                #expect(r.status == 404, "\(r.body)")
                #expect(object(r.body)["message"] as? String == "lock with ID t1-`db`.`tb` not found")
                #expect(object(r.body)["code"] as? String == "not_found")
            }
        }
    }
}
