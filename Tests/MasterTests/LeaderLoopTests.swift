import BraidTestSupport
import Domain
import Foundation
import Leader
import Projections
import Testing

@testable import Master

/// Waits until `condition` holds on the published state, or fails after `seconds`. No sleeps:
/// each round waits on the host's change signal, bounded by the deadline.
func waitForState(
    _ host: EngineHost, seconds: Double = 10, _ condition: @Sendable (ClusterState) -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    while true {
        let state = await host.state
        if condition(state) { return }
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(seconds)s at sequence \(state.lastSequence)")
            return
        }
        let seen = state.lastSequence
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await host.waitForChange(after: seen) }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}

@Suite("Master: watch, ticker, restart")
struct LeaderLoopTests {
    @Test func watchReturnsOnChangeAndOnTimeout() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"a:1"}"#)
                var r = try await client.call(.get, "/api/v1/worker-protocol/w1/watch?timeout_ms=0")
                let seq = try #require(object(r.body)["sequence"] as? Int)

                // Timeout: nothing changes for this worker, the poll answers after ~timeout_ms.
                let started = ContinuousClock.now
                r = try await client.call(.get, "/api/v1/worker-protocol/w1/watch?after=\(seq)&timeout_ms=200")
                #expect(r.status == 200)
                #expect(ContinuousClock.now - started >= .milliseconds(190))
                #expect(object(r.body)["source"] == nil)

                // Change: a source bound to w1 answers the poll early.
                try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    group.addTask {
                        let r = try await client.call(.get, "/api/v1/worker-protocol/w1/watch?after=\(seq)&timeout_ms=30000")
                        return (r.status, r.body)
                    }
                    // Make sure the poll is parked before the change (its answer would be immediate otherwise, still correct).
                    let created = try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                    #expect(created.status == 201)
                    let (status, body) = try #require(try await group.next())
                    #expect(status == 200)
                    #expect((object(body)["source"] as? [String: Any])?["source_id"] as? String == "s1")
                    #expect((object(body)["sequence"] as? Int ?? 0) > seq)
                }
                #expect(ContinuousClock.now - started < .seconds(20))
            }
        }
    }

    @Test func tickerExpiresSilentWorkers() async throws {
        try await withTemporaryDirectory("master") { dir in
            let clock = TestClock()
            let master = try await MasterFixture.make(dataDir: dir, clock: clock) {
                $0.keepaliveTTL = .milliseconds(500)
                $0.tickInterval = .milliseconds(10)
            }
            try await master.test { client in
                try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"a:1"}"#)
                try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w2","address":"b:1"}"#)
                try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                let host = master.runtime.host
                #expect(await host.state.scheduling.boundWorker(of: "s1") == "w1")

                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await master.runtime.ticker.run() }
                    // w2 keeps alive, w1 falls silent past the TTL: w1 expires, s1 moves to w2.
                    clock.advance(ms: 400)
                    #expect(try await client.call(.post, "/api/v1/worker-protocol/w2/keepalive").status == 200)
                    clock.advance(ms: 200)
                    try await waitForState(host) { $0.scheduling.stage(of: "w1") == .offline }
                    #expect(await host.state.scheduling.boundWorker(of: "s1") == "w2")
                    #expect(await host.state.scheduling.stage(of: "w2") == .bound)
                    group.cancelAll()
                }
            }
        }
    }

    @Test func restartRebuildsTheSameStateWithAHigherTerm() async throws {
        try await withTemporaryDirectory("master") { dir in
            let before: ClusterState
            let firstTerm: UInt64
            do {
                let master = try await MasterFixture.make(dataDir: dir)
                try await master.test { client in
                    try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"a:1"}"#)
                    try await client.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
                    try await client.call(.post, "/api/v1/tasks", yaml: Fixtures.taskYAML("t1"))
                }
                before = await master.runtime.host.state
                firstTerm = master.runtime.host.term
            }
            let again = try await MasterFixture.make(dataDir: dir)
            #expect(await again.runtime.host.state == before)
            #expect(again.runtime.host.term > firstTerm)
            try await again.test { client in
                let r = try await client.call(.get, "/api/v1/cluster/masters")
                #expect(array(r.body).first?["term"] as? Int == Int(again.runtime.host.term))
                #expect(try await client.call(.get, "/api/v1/tasks/t1").status == 200)
            }
        }
    }
    /// Keepalives are logged only on liveness changes and every TTL/2; the ones in between still count
    /// (the leader remembers them and hands them to `tick`), and a restarted leader, which knows only the
    /// logged times, grants every online worker a fresh TTL instead of expiring it early.
    @Test func unloggedKeepalivesStillCountAndANewLeaderGrantsAFreshTTL() async throws {
        try await withTemporaryDirectory("master") { dir in
            let clock = TestClock()
            let configure: (inout MasterConfiguration) -> Void = { $0.keepaliveTTL = .milliseconds(1_000) }
            do {
                let master = try await MasterFixture.make(dataDir: dir, clock: clock, configure: configure)
                let host = master.runtime.host
                try await master.test { client in
                    try await client.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"a:1"}"#)
                    let registered = await host.state.lastSequence
                    clock.advance(ms: 400)
                    #expect(try await client.call(.post, "/api/v1/worker-protocol/w1/keepalive").status == 200)
                    #expect(await host.state.lastSequence == registered, "a keepalive within TTL/2 of the logged one was logged")
                    // Logged keepalive 1,100 ms old, the last one seen 700 ms: still alive.
                    clock.advance(ms: 700)
                    await master.runtime.ticker.tickOnce()
                    #expect(await host.state.scheduling.stage(of: "w1") == .free)
                    let listed = array(try await client.call(.get, "/api/v1/cluster/workers").body)
                    #expect(listed.first?["last_keepalive_ms"] as? Int == Int(clock.now - 700))
                    // Silent for 1,100 ms since the last one seen: expired.
                    clock.advance(ms: 400)
                    await master.runtime.ticker.tickOnce()
                    #expect(await host.state.scheduling.stage(of: "w1") == .offline)
                    // Back online (logged at once), then one more keepalive the log does not hold.
                    #expect(try await client.call(.post, "/api/v1/worker-protocol/w1/keepalive").status == 200)
                    #expect(await host.state.scheduling.stage(of: "w1") == .free)
                }
            }
            // A new leader long after the logged keepalive: the worker gets a fresh TTL from the takeover.
            clock.advance(ms: 5_000)
            let again = try await MasterFixture.make(dataDir: dir, clock: clock, configure: configure)
            await again.runtime.ticker.tickOnce()
            #expect(await again.runtime.host.state.scheduling.stage(of: "w1") == .free)
            clock.advance(ms: 1_001)
            await again.runtime.ticker.tickOnce()
            #expect(await again.runtime.host.state.scheduling.stage(of: "w1") == .offline)
        }
    }
}

extension LeaderLoopTests {
    /// Embedded mode has one master and nothing to hand over or confirm: leadership and
    /// master-membership calls answer 409 naming HA mode.
    @Test func haOnlyCallsAnswerConflictOnAnEmbeddedMaster() async throws {
        try await withTemporaryDirectory("master") { dir in
            let master = try await MasterFixture.make(dataDir: dir)
            try await master.test { client in
                let offline = try await client.call(.delete, "/api/v1/cluster/masters/m2")
                #expect(offline.status == 409 && offline.body.contains("embedded"), "\(offline.body)")
                let evict = try await client.call(.put, "/api/v1/cluster/leader")
                #expect(evict.status == 409 && evict.body.contains("embedded"), "\(evict.body)")
            }
        }
    }
}

extension LeaderLoopTests {
    /// master.yaml: a value that is not what its key needs is a typed error naming the key,
    /// never silently ignored.
    @Test func masterYAMLRefusesANonIntegerMaxBodyBytes() throws {
        var configuration = MasterConfiguration(dataDir: "/tmp/unused")
        #expect(throws: MasterError.self) { try configuration.apply(yaml: "max-body-bytes: lots\n") }
        do {
            try configuration.apply(yaml: "max-body-bytes: lots\n")
        } catch {
            #expect("\(error)".contains("max-body-bytes"), "\(error)")
        }
        try configuration.apply(yaml: "max-body-bytes: 1024\n")
        #expect(configuration.maxBodyBytes == 1024)
    }
}
