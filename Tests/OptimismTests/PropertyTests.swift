import BinaryCoding
import BraidTestSupport
import Domain
import Optimism
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seeded random command streams: invariants after every step, replay equals live state,
/// snapshots round-trip. Replay a failure with `BRAID_SEED=<seed>`.
@Suite struct PropertyTests {
    @Test func randomCommandsKeepInvariantsAndReplay() throws {
        var rng = getenv("BRAID_SEED") == nil ? SeededRandom(seed: 0x0B7A_1D5E) : .fromEnvironment()
        let seed = rng.seed
        var generator = OptimismCommandGenerator()
        var state = Optimism.State()
        var log: [Event] = []
        var commands = 0
        var rejected = 0
        var stages: [ConflictStage: Int] = [:]
        while log.count < 10_500, commands < 40_000 {
            commands += 1
            let command = generator.next(state: state, rng: &rng)
            let events: [Event]
            do {
                events = try Optimism.decide(command, state)
            } catch {
                rejected += 1
                continue
            }
            for event in events {
                Optimism.evolve(&state, event)
                if case .optimism(.operationIssued(let op, _)) = event { stages[op.stage, default: 0] += 1 }
            }
            log += events
            do {
                try state.checkInvariants()
            } catch {
                Issue.record("seed \(seed), command \(commands) \(command): \(error)")
                return
            }
        }
        var replayed = Optimism.State()
        for event in log {
            let decoded = try Event(typeTag: event.typeTag, payload: event.encodedPayload())
            #expect(decoded == event, "seed \(seed)")
            Optimism.evolve(&replayed, decoded)
        }
        #expect(replayed == state, "seed \(seed): replay differs from the live state")
        #expect(try Optimism.State(decoding: state.encodedBytes()) == state, "seed \(seed)")
        #expect(log.count >= 10_000, "seed \(seed): only \(log.count) events")
        // The stream must exercise the interesting stages, not only the happy path.
        for stage in [ConflictStage.none, .detected, .skipAndWaitForRedirect, .unlocked, .error] {
            #expect(stages[stage, default: 0] > 0, "seed \(seed): no \(stage) operation in \(commands) commands")
        }
        print("optimism property: seed \(seed), \(commands) commands, \(log.count) events, \(rejected) refused, stages \(stages)")
    }
}
