import BraidTestSupport
import Domain
import Scheduling
import Testing

@Suite struct WorkerTests {
    // DM: scheduler AddWorker — same name+addr is a no-op, same name with another addr is an error.
    @Test func registrationIsIdempotentPerAddress() throws {
        var h = Harness()
        #expect(try h.run(.registerWorker(w1, address: "a:8262")) == [.worker(.registered(w1, address: "a:8262"))])
        #expect(try h.run(.registerWorker(w1, address: "a:8262")).isEmpty)
        #expect(h.refuse(.registerWorker(w1, address: "b:8262")) == .workerAddressConflict)
        #expect(h.refuse(.registerWorker("", address: "b:8262")) == .invalidCommand)
    }

    // DM: worker.go stages — a registered worker is Offline until its keepalive (Offline→Free).
    @Test func keepaliveTurnsAnOfflineWorkerFree() throws {
        var h = Harness()
        try h.run(.registerWorker(w1, address: "a"))
        #expect(h.state.stage(of: w1) == .offline)
        try h.run(.keepalive(w1, at: h.now))
        #expect(h.state.stage(of: w1) == .free)
        #expect(h.refuse(.keepalive(w2, at: h.now)) == .workerNotFound)
        #expect(h.state.stage(of: w2) == nil)
    }

    // DM: scheduler handleWorkerOffline — keepalive lost: unbind, worker offline, source rebound.
    @Test func expiredWorkerLosesItsSourceToAFreeWorker() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s1)
        try h.online(w2)
        #expect(h.state.boundWorker(of: s1) == w1)
        let firstEpoch = try #require(h.state.bindingEpoch(of: s1))
        h.now += 6_000
        try h.heartbeatAll(except: [w1])
        h.now += 5_000  // w1 silent for 11 s > 10 s TTL; w2 for 5 s
        let events = try h.run(.tick(now: h.now))
        #expect(
            events == [
                .binding(.unbound(s1, w1, epoch: firstEpoch, reason: .workerExpired)),
                .worker(.expired(w1, at: h.now)),
                .binding(.bound(s1, w2, epoch: firstEpoch + 1)),
            ]
        )
        #expect(h.state.stage(of: w1) == .offline && h.state.boundWorker(of: s1) == w2)
    }

    // The TTL is data: a keepalive exactly TTL old survives, one millisecond more expires.
    @Test func ttlIsCarriedByTheTick() throws {
        var h = Harness()
        try h.online(w1)
        #expect(try h.run(.tick(now: h.now + 10_000)).isEmpty)
        #expect(try h.run(.tick(now: h.now + 3_000, ttl: 2_000)) == [.worker(.expired(w1, at: h.now + 3_000))])
        #expect(h.refuse(.tick(now: h.now, ttl: 0)) == .invalidCommand)
        try h.run(.registerWorker(w2, address: "b"))
        try h.run(.keepalive(w2, at: Int64.min))  // a bogus clock does not trap the leader
        #expect(try h.run(.tick(now: Int64.max)) == [.worker(.expired(w2, at: Int64.max))])
    }

    // Two workers expiring in one tick: the source is not handed to the other dying worker.
    @Test func simultaneousExpiriesDoNotRebindToEachOther() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2)
        h.now += 20_000
        try h.online(w3)
        let events = try h.run(.tick(now: h.now))
        let bound = events.compactMap { e -> WorkerName? in
            if case .binding(.bound(_, let w, _)) = e { return w }
            return nil
        }
        #expect(bound == [w3])  // only one free survivor, it takes s1 (lexicographic); s2 waits
        #expect(h.state.boundWorker(of: s1) == w3 && h.state.boundWorker(of: s2) == nil)
        #expect(h.state.unboundSources == [s2])
    }

    // DM: worker graceful shutdown revokes its lease — offline at once, no TTL wait.
    @Test func gracefulStopOfflinesImmediately() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1)
        let epoch = try #require(h.state.bindingEpoch(of: s1))
        #expect(
            try h.run(.stopWorker(w1)) == [
                .binding(.unbound(s1, w1, epoch: epoch, reason: .workerStopped)), .worker(.offlined(w1)),
                .binding(.bound(s1, w2, epoch: epoch + 1)),
            ]
        )
        #expect(try h.run(.stopWorker(w1)).isEmpty)
        #expect(h.refuse(.stopWorker(w3)) == .workerNotFound)
    }

    // DM: scheduler RemoveWorker — offline-member only for an offline worker.
    @Test func offlineMemberRequiresOffline() throws {
        var h = Harness()
        try h.online(w1)
        #expect(h.refuse(.offlineMember(w1)) == .workerNotOffline)
        try h.run(.stopWorker(w1))
        #expect(try h.run(.offlineMember(w1)) == [.worker(.removed(w1))])
        #expect(h.state.stage(of: w1) == nil)
        #expect(h.refuse(.offlineMember(w1)) == .workerNotFound)
    }

    // DM dm#2002: leader and a worker die together; the new leader rebuilds liveness from what is
    // recorded (here: the log) and still expires the worker after the TTL, moving its source.
    @Test func newLeaderExpiresAWorkerFromTheLog() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1)
        h.now += 8_000
        try h.heartbeatAll(except: [w1])
        var leader2 = Harness()
        leader2.state = h.replayed()
        leader2.log = h.log
        leader2.now = h.now + 3_000
        try leader2.run(.tick(now: leader2.now))
        #expect(leader2.state.stage(of: w1) == .offline)
        #expect(leader2.state.boundWorker(of: s1) == w2)
    }
    // Coalesced keepalives: an online worker's keepalive is logged only once the logged one is
    // `refreshAfter` old; one that brings the worker online is always logged.
    @Test func keepalivesAreLoggedOnlyWhenLivenessChangesOrTheRecordIsStale() throws {
        var h = Harness()
        try h.run(.registerWorker(w1, address: "a"))
        #expect(try h.run(.keepalive(w1, at: h.now, refreshAfter: 5_000)) == [.worker(.keepalive(w1, at: h.now))])
        #expect(try h.run(.keepalive(w1, at: h.now + 4_999, refreshAfter: 5_000)).isEmpty)
        #expect(try h.run(.keepalive(w1, at: h.now + 5_000, refreshAfter: 5_000)) == [.worker(.keepalive(w1, at: h.now + 5_000))])
        try h.run(.stopWorker(w1))
        // Offline: the next keepalive is logged however fresh the record, and it frees the worker.
        #expect(try h.run(.keepalive(w1, at: h.now + 5_001, refreshAfter: 5_000)) == [.worker(.keepalive(w1, at: h.now + 5_001))])
        #expect(h.state.stage(of: w1) == .free)
        #expect(h.refuse(.keepalive(w2, at: h.now, refreshAfter: 5_000)) == .workerNotFound)
    }

    // The leader's in-memory last-seen times enter the tick as data: a worker whose logged keepalive
    // is old but who was seen recently survives; one seen nowhere recently expires. Replay needs no
    // last-seen: the expiry is an event.
    @Test func tickCountsFromTheNewerOfLoggedAndLastSeen() throws {
        var h = Harness()
        try h.online(w1, w2)
        let logged = h.now
        h.now += 12_000
        let seen: [WorkerName: Int64] = [w1: logged + 9_000, w2: logged - 1]  // an older sighting changes nothing
        #expect(try h.run(.tick(now: h.now, ttl: 10_000, lastSeen: seen)) == [.worker(.expired(w2, at: h.now))])
        #expect(h.state.stage(of: w1) == .free)
        #expect(try h.run(.tick(now: logged + 19_001, ttl: 10_000, lastSeen: seen)) == [.worker(.expired(w1, at: logged + 19_001))])
        #expect(h.replayed() == h.state)
    }
}
