import BraidTestSupport
import Domain
import Scheduling
import Testing

@Suite struct BindingTests {
    // DM: AddSourceCfg + tryBoundForSource — a new source goes to a free worker, lexicographically first.
    @Test func newSourceBindsToFirstFreeWorker() throws {
        var h = Harness()
        try h.online(w2, w1)
        let events = try h.run(.addSource(SchedulingCommandGenerator.sourceConfig(s1)))
        #expect(
            events == [
                .source(.added(SchedulingCommandGenerator.sourceConfig(s1))), .binding(.bound(s1, w1, epoch: 1)),
            ]
        )
        #expect(h.state.stage(of: w1) == .bound && h.state.boundSource(of: w1) == s1)
    }

    // DM: no free worker — the source waits unbound, and the next worker to come online takes it.
    @Test func sourceWaitsForAWorker() throws {
        var h = Harness()
        try h.addSources(s1)
        #expect(h.state.unboundSources == [s1])
        try h.run(.registerWorker(w1, address: "a"))
        #expect(
            try h.run(.keepalive(w1, at: h.now)) == [
                .worker(.keepalive(w1, at: h.now)), .binding(.bound(s1, w1, epoch: 1)),
            ]
        )
    }

    // DM: AddSourceCfgWithWorker (`operate-source create -w`) — the named worker must be free.
    @Test func addSourceOntoANamedWorker() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.run(.addSource(SchedulingCommandGenerator.sourceConfig(s1), worker: w2))
        #expect(h.state.boundWorker(of: s1) == w2)
        #expect(h.refuse(.addSource(SchedulingCommandGenerator.sourceConfig(s2), worker: w2)) == .workerNotFree)
        #expect(h.refuse(.addSource(SchedulingCommandGenerator.sourceConfig(s2), worker: w3)) == .workerNotFound)
        #expect(h.refuse(.addSource(SchedulingCommandGenerator.sourceConfig(s1))) == .sourceExists)
    }

    // DM: tryBoundForSource priority — the free worker that was the source's last bound beats
    // lexicographic order.
    @Test func sourcePrefersItsLastBoundWorker() throws {
        var h = Harness()
        try h.online(w3)
        try h.addSources(s1)  // s1 -> w3
        try h.online(w1)
        try h.run(.transferSource(s1, to: w1))  // w3 free, its last bound is still s1
        try h.online(w2)
        #expect(h.state.freeWorkers == [w2, w3])
        try h.run(.stopWorker(w1))  // s1 released: w3 (its last bound) beats w2 (name order)
        #expect(h.state.boundWorker(of: s1) == w3)
    }

    // Without a last-bound candidate, name order decides, so a replayed decision is the same one.
    @Test func tiesBreakByName() throws {
        var h = Harness()
        try h.online(w3, w2)
        try h.addSources(s2, s1)
        #expect(h.state.boundWorker(of: s2) == w2 && h.state.boundWorker(of: s1) == w3)
        try h.online(w1)
        try h.run(.stopWorker(w3))
        #expect(h.state.boundWorker(of: s1) == w1)
    }

    // DM: tryBoundForWorker — a returning worker gets its last-bound source back if it is unbound,
    // even when a lexicographically smaller source is also waiting. Last-bound survives unbind.
    @Test func workerPrefersItsLastBoundSource() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s2)  // s2 -> w1
        try h.run(.stopWorker(w1))
        try h.addSources(s1)  // s1 and s2 both unbound
        #expect(h.state.workers[w1]?.lastBoundSource == s2)
        try h.run(.keepalive(w1, at: h.now))
        #expect(h.state.boundWorker(of: s2) == w1 && h.state.unboundSources == [s1])
    }

    // DM: TransferSource — target must be free; subtasks follow the binding; the old worker tries
    // another source; the epoch moves on so the old worker's writes are fenced (tiflow#3737).
    @Test func transferSourceMovesSubtasksAndBumpsTheEpoch() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s1, s2)  // s1 -> w1, s2 unbound
        try h.startTask("test", s1)
        try h.online(w2)  // w2 takes s2
        try h.online(w3)  // w3 free
        #expect(h.refuse(.transferSource(s1, to: w2)) == .workerNotFree)
        #expect(h.refuse(.transferSource(s3, to: w3)) == .sourceNotFound)
        let before = try #require(h.state.bindingEpoch(of: s1))
        #expect(
            try h.run(.transferSource(s1, to: w3)) == [
                .binding(.unbound(s1, w1, epoch: before, reason: .transferred)),
                .binding(.bound(s1, w3, epoch: h.state.lastEpoch)),
            ]
        )
        #expect(h.state.bindingEpoch(of: s1)! > before)
        #expect(h.state.subtasks(ofWorker: w3) == [Scheduling.SubtaskID(task: "test", source: s1)])
        #expect(h.state.subtasks(ofWorker: w1).isEmpty && h.state.stage(of: w1) == .free)
        #expect(try h.run(.transferSource(s1, to: w3)).isEmpty)
    }

    // A free worker and an unbound source never coexist after a command: every command that
    // frees a worker or releases a source offers it at once. Transfers therefore always move a
    // bound source; the target must still be free.
    @Test func freeWorkersAndUnboundSourcesNeverCoexist() throws {
        var h = Harness()
        try h.addSources(s1, s2)
        try h.run(.registerWorker(w1, address: "a"))
        #expect(h.refuse(.transferSource(s1, to: w1)) == .workerNotFree)  // offline
        #expect(h.refuse(.transferSource(s1, to: w2)) == .workerNotFound)
        try h.run(.keepalive(w1, at: h.now))
        #expect(h.state.freeWorkers.isEmpty && h.state.unboundSources == [s2])
        try h.online(w2, w3)
        #expect(h.state.unboundSources.isEmpty && h.state.freeWorkers == [w3])
        let error = Scheduling.Error(.workerNotFree, "worker x is offline, not free")
        #expect(error.description == "workerNotFree: worker x is offline, not free")
    }

    // The old worker of a transfer picks up a waiting source.
    @Test func transferredFromWorkerTakesAWaitingSource() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s1, s2)
        try h.run(.registerWorker(w2, address: "b"))
        try h.run(.addSource(SchedulingCommandGenerator.sourceConfig(s3)))
        try h.run(.keepalive(w2, at: h.now))  // w2 takes s2 (smallest unbound)
        try h.online(w3)  // w3 takes s3
        try h.run(.stopWorker(w3))  // s3 waits
        try h.run(.keepalive(w3, at: h.now))  // w3 free again -> takes s3 back (last bound)
        #expect(h.state.boundWorker(of: s3) == w3)
    }

    // Epochs are strictly increasing cluster-wide across every bind.
    @Test func epochsStrictlyIncrease() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2, s3)
        try h.run(.stopWorker(w1))
        try h.run(.keepalive(w1, at: h.now))
        try h.run(.transferSource(s1, to: w1))
        let epochs = h.log.compactMap { e -> UInt64? in
            if case .binding(.bound(_, _, let epoch)) = e { return epoch }
            return nil
        }
        #expect(epochs == Array(1...UInt64(epochs.count)))
    }
}
