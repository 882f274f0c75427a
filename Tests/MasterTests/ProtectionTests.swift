import BraidTestSupport
import Foundation
import Testing

@testable import Master

@Suite("Master API: bad input and protection")
struct ProtectionTests {
    @Test func badInputStatuses() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir) { $0.maxBodyBytes = 2048 }
            try await master.test { client in
                // 400 naming the field path: a source.yaml with a bad flavor, a task.yaml with a missing field.
                var r = try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML().replacingOccurrences(of: "flavor: mysql", with: "flavor: oracle"))
                #expect(r.status == 400)
                #expect(object(r.body)["field"] as? String == "flavor")
                #expect(object(r.body)["code"] as? String == "bad_request")
                r = try await client.call(.post, "/api/v1/sources", yaml: "source-id: [unclosed")
                #expect(r.status == 400, "\(r.body)")
                r = try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML().replacingOccurrences(of: "task-mode: incremental\n", with: ""))
                #expect(r.status == 400)
                #expect(object(r.body)["field"] as? String == "task-mode")
                r = try await client.call(.post, "/api/v1/sources", json: #"{"source_id":"s9","from":{"host":"h","port":70000,"user":"u"}}"#)
                #expect(r.status == 400)
                #expect(object(r.body)["field"] as? String == "from.port")

                // 404s.
                for path in ["/api/v1/sources/nope", "/api/v1/sources/nope/status", "/api/v1/tasks/nope"] {
                    r = try await client.call(.get, path)
                    #expect(r.status == 404, "\(path)")
                    #expect(object(r.body)["code"] as? String == "not_found")
                }
                r = try await client.call(.post, "/api/v1/worker-protocol/ghost/keepalive")
                #expect(r.status == 404)
                r = try await client.call(.get, "/api/v1/worker-protocol/ghost/watch?timeout_ms=0")
                #expect(r.status == 404)
                r = try await client.call(.post, "/api/v1/tasks/nope/pause")
                #expect(r.status == 404)

                // 409: a duplicate source; a transfer to an unknown worker is a 404.
                r = try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                #expect(r.status == 201)
                r = try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                #expect(r.status == 409)
                #expect(object(r.body)["code"] as? String == "conflict")
                r = try await client.call(.post, "/api/v1/sources/s1/transfer", json: #"{"worker_name":"ghost"}"#)
                #expect(r.status == 404, "\(r.body)")

                // 413.
                r = try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("big") + "\n# " + String(repeating: "x", count: 4096))
                #expect(r.status == 413)
                #expect(object(r.body)["code"] as? String == "too_large")
            }
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir) {
                $0.rateLimit = 0.01
                $0.rateBurst = 2
            }
            try await master.test { client in
                #expect(try await client.call(.get, "/api/v1/sources").status == 200)
                #expect(try await client.call(.get, "/api/v1/sources").status == 200)
                let r = try await client.call(.get, "/api/v1/sources")
                #expect(r.status == 429)
                #expect(Int(r.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(object(r.body)["code"] as? String == "rate_limited")
            }
        }
    }

    @Test func bearerTokenAuth() async throws {
        try await withTemporaryDirectory("master") { dir in
            let tokenFile = dir + "/token"
            try "tok-123\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let master = try await MasterFixture.make(dataDir: dir) { $0.authTokenFile = tokenFile }
            try await master.test { client in
                var r = try await client.call(.get, "/api/v1/sources")
                #expect(r.status == 401)
                #expect(object(r.body)["code"] as? String == "unauthorized")
                r = try await client.call(.get, "/api/v1/sources", headers: [.authorization: "Bearer wrong"])
                #expect(r.status == 401)
                r = try await client.call(.get, "/api/v1/sources", headers: [.authorization: "Bearer tok-123"])
                #expect(r.status == 200)
                #expect(try await client.call(.get, "/metrics").status == 200)
                #expect(try await client.call(.get, "/api/v1/openapi.yaml").status == 200)
            }
        }
    }

    /// The source password appears in no answer: not in sources, status, log records or state.
    /// Only the bound worker's watch carries it, sealed when a key is configured.
    @Test func passwordsNeverLeak() async throws {
        try await withTemporaryDirectory("master") { dir in
            let keyFile = dir + "/key"
            try String(repeating: "ab", count: 32).write(toFile: keyFile, atomically: true, encoding: .utf8)
            let master = try await MasterFixture.make(dataDir: dir) { $0.secretKeyFile = keyFile }
            try await master.test { client in
                var bodies: [String] = []
                bodies.append(try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"a:1"}"#).body)
                bodies.append(try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1")).body)
                bodies.append(try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1")).body)
                for path in [
                    "/api/v1/sources", "/api/v1/sources/s1", "/api/v1/sources/s1/status", "/api/v1/tasks", "/api/v1/tasks/t1",
                    "/api/v1/log?from=1&limit=1000", "/api/v1/log/state", "/api/v1/log/state?seq=2", "/api/v1/cluster/workers",
                    "/api/v1/worker-protocol/w1/watch?timeout_ms=0",
                ] {
                    let r = try await client.call(.get, path)
                    #expect(r.status == 200, "\(path): \(r.body)")
                    bodies.append(r.body)
                }
                for body in bodies {
                    #expect(!body.contains(Fixtures.password))
                    #expect(!body.contains(Fixtures.targetPassword))
                }
                let log = try await client.call(.get, "/api/v1/log").body
                #expect(array(log).contains { $0["type"] as? String == "source.added" } || log.contains("source."))

                let view = object(try await client.call(.get, "/api/v1/worker-protocol/w1/watch?timeout_ms=0").body)
                let sealed = try #require(view["source_password"] as? String)
                #expect(sealed.hasPrefix(SecretBox.prefix))
                #expect(master.runtime.api.secrets.open(sealed) == Fixtures.password)
            }
        }
    }

    /// With a key configured, a watch still answers early only when the worker's own view changes:
    /// sealing draws a random nonce, so an unmemoized view never compared equal and every log change
    /// (another worker's keepalive) woke every watcher.
    @Test func sealedViewsAreStableSoOtherWorkersDoNotWakeAWatch() async throws {
        try await withTemporaryDirectory("master") { dir in
            let keyFile = dir + "/key"
            try String(repeating: "cd", count: 32).write(toFile: keyFile, atomically: true, encoding: .utf8)
            let master = try await MasterFixture.make(dataDir: dir) { $0.secretKeyFile = keyFile }
            try await master.test { client in
                _ = try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"a:1"}"#)
                _ = try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                _ = try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1"))
                _ = try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w2","address":"a:2"}"#)
                let first = object(try await client.call(.get, "/api/v1/worker-protocol/w1/watch?timeout_ms=0").body)
                let seq = try #require(first["sequence"] as? Int)
                let t0 = ContinuousClock.now
                async let watched = client.call(.get, "/api/v1/worker-protocol/w1/watch?after=\(seq)&timeout_ms=1500")
                // w2's keepalives move the log but not w1's view (each half a TTL apart, so each is logged).
                for _ in 0..<5 {
                    master.clock.advance(ms: master.runtime.configuration.keepaliveTTL.components.seconds * 500)
                    _ = try await client.call(.post, "/api/v1/worker-protocol/w2/keepalive")
                }
                let r = try await watched
                #expect(r.status == 200)
                let view = object(r.body)
                #expect(view["source_password"] as? String == first["source_password"] as? String)
                #expect((view["sequence"] as? Int ?? 0) > seq)
                // It ran to its timeout rather than answering at the first keepalive (timed from the watch's start,
                // so a slow machine cannot fail it).
                #expect(ContinuousClock.now - t0 >= .milliseconds(1_500), "the watch answered early on another worker's keepalive")
            }
        }
    }
}
