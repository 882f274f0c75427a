import BinaryCoding
import BraidTestSupport
import Domain
import Foundation
import Scheduling
import Testing

@Suite struct SchedulingPropertyTests {
    /// Random commands from `SchedulingCommandGenerator` until at least 10,000 events were
    /// appended. After every command: invariants hold, no free worker sits next to an unbound
    /// source, binding epochs only grow. Periodically and at the end: folding the log into a fresh state equals
    /// the live state, and the state survives a binary (and JSON) round trip.
    /// Replay a failure with `BRAID_SEED=<seed> swift test --filter SchedulingPropertyTests`.
    @Test func randomCommandsKeepInvariantsAndReplay() throws {
        var rng = SeededRandom.fromEnvironment()
        let seed = rng.seed
        var generator = SchedulingCommandGenerator()
        var state = Scheduling.State()
        var log: [Event] = []
        var now: Int64 = 1_700_000_000_000
        var maxEpoch: UInt64 = 0
        var refused = 0
        var commands = 0
        var counts: [String: Int] = [:]

        while log.count < 10_000 {
            now += Int64.random(in: 0...2_500, using: &rng)
            let command = generator.next(state: state, rng: &rng, now: now)
            commands += 1
            let events: [Event]
            do {
                events = try Scheduling.decide(command, state)
            } catch {
                refused += 1
                continue
            }
            for event in events {
                if case .binding(.bound(_, _, let epoch)) = event {
                    #expect(epoch > maxEpoch, "seed \(seed): epoch \(epoch) after \(maxEpoch)")
                    maxEpoch = epoch
                }
                counts[event.name, default: 0] += 1
                Scheduling.evolve(&state, event)
            }
            log += events
            do {
                try state.checkInvariants()
            } catch {
                Issue.record("seed \(seed), command #\(commands) \(command): \(error)")
                return
            }
            // Work conservation: the decider never leaves a free worker next to a waiting source.
            if !state.freeWorkers.isEmpty && !state.unboundSources.isEmpty {
                Issue.record(
                    "seed \(seed), command #\(commands) \(command): free \(state.freeWorkers) and unbound \(state.unboundSources)"
                )
                return
            }
            if commands % 500 == 0 {
                try Self.checkReplay(log, state, seed: seed)
            }
        }
        try Self.checkReplay(log, state, seed: seed)
        let json = JSONEncoder()
        json.userInfo[.braidIncludePasswords] = true
        #expect(try JSONDecoder().decode(Scheduling.State.self, from: json.encode(state)) == state, "seed \(seed)")
        // The generator must reach the interesting paths, or the test proves little.
        for name in [
            "binding.bound", "binding.unbound", "worker.expired", "worker.offlined", "worker.removed", "task.started",
            "task.stageChanged", "task.subtaskRemoved", "task.stopped", "source.updated", "source.removed",
            "checkpoint.reported",
        ] {
            #expect(counts[name, default: 0] > 0, "seed \(seed): no \(name) in \(log.count) events")
        }
        #expect(refused > 0 && refused < commands / 2, "seed \(seed): \(refused) of \(commands) refused")
    }

    private static func checkReplay(_ log: [Event], _ state: Scheduling.State, seed: UInt64) throws {
        var fresh = Scheduling.State()
        for event in log {
            let decoded = try Event(typeTag: event.typeTag, payload: event.encodedPayload())
            Scheduling.evolve(&fresh, decoded)
        }
        #expect(fresh == state, "seed \(seed): replay differs after \(log.count) events")
        #expect(try Scheduling.State(decoding: state.encodedBytes()) == state, "seed \(seed): binary round trip")
    }
}
