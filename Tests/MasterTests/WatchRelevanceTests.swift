import API
import BraidTestSupport
import Domain
import Projections
import Testing
@testable import Master

/// A watch sleeps through events `WatchRelevance` calls irrelevant to its worker, so a wrong "no"
/// would leave a worker without its operation until the long poll times out. On random command
/// streams over all three deciders, every change of any worker's view must come with at least one
/// event that concerns that worker.
@Suite struct WatchRelevanceTests {
    @Test func noViewChangeIsMissed() throws {
        var rng = SeededRandom.fromEnvironment()
        let seed = rng.seed
        var state = ClusterState()
        var scheduling = SchedulingCommandGenerator()
        var pessimism = PessimismCommandGenerator()
        var optimism = OptimismCommandGenerator()
        let builder = WorkerViewBuilder(memo: WorkerViewMemo(secrets: SecretBox(keyBytes: nil)))
        var now: Int64 = 1_700_000_000_000
        var changes = 0
        var skipped = 0
        func view(_ worker: WorkerName, _ state: ClusterState) -> Components.Schemas.WorkerView {
            var view = builder.view(worker: worker, state: state, term: 1)
            view.sequence = 0
            return view
        }
        for _ in 0..<6_000 {
            now += Int64.random(in: 0...1_500, using: &rng)
            let command: ClusterCommand
            switch rng.next() % 9 {
            case 0, 1, 2, 3: command = .scheduling(scheduling.next(state: state.scheduling, rng: &rng, now: now))
            case 4: command = .scheduling(scheduling.nextBinlogOperation(state: state.scheduling, rng: &rng))
            case 5, 6: command = .pessimism(pessimism.next(state: state.pessimism, rng: &rng))
            default: command = .optimism(optimism.next(state: state.optimism, rng: &rng))
            }
            var next = state
            guard let events = try? ClusterEngine.run(command, on: &next, timestamp: now), !events.isEmpty else { continue }
            for worker in Set(state.scheduling.workers.keys).union(next.scheduling.workers.keys) {
                let source = state.scheduling.boundSource(of: worker)
                let relevant = events.contains { WatchRelevance.concerns($0, worker: worker, source: source) }
                if view(worker, state) != view(worker, next) {
                    changes += 1
                    #expect(relevant, "seed \(seed): \(worker)'s view changed on \(events.map(\.name)) but no event concerned it")
                } else if !relevant {
                    skipped += 1
                }
            }
            state = next
        }
        // The stream exercised both sides: views changed, and watches were spared wake-ups.
        #expect(changes > 500, "seed \(seed): only \(changes) view changes")
        #expect(skipped > 5_000, "seed \(seed): only \(skipped) wake-ups spared")
    }
}
