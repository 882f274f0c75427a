import BraidTestSupport
import Domain
import EventLog
import Leader
import Projections
import Testing

@Suite struct ProjectionPropertyTests {
    /// Random valid command streams for all three deciders through the real engine and a real LMDB
    /// log: the live state, the full fold, and snapshot + tail must agree, at the end and at a
    /// random earlier sequence, and invariants must hold throughout.
    @Test func snapshotPlusTailEqualsFullFoldEqualsLiveState() async throws {
        var rng = SeededRandom.fromEnvironment()
        let seed = rng.seed
        try await withTemporaryDirectory("projection") { dir in
            let log = try LMDBLog(path: dir, options: .init(syncMode: .noSync))
            let host = try await EngineHost(log: log, options: .init(snapshotEvery: 997))
            var scheduling = SchedulingCommandGenerator()
            var pessimism = PessimismCommandGenerator()
            var optimism = OptimismCommandGenerator()
            var now: Int64 = 1_700_000_000_000
            var commands = 0
            var rejected = 0
            while await host.state.eventCount < 10_000, commands < 200_000 {
                commands += 1
                now += Int64.random(in: 0...1_500, using: &rng)
                let state = await host.state
                let command: ClusterCommand
                switch rng.next() % 3 {
                case 0: command = .scheduling(scheduling.next(state: state.scheduling, rng: &rng, now: now))
                case 1: command = .pessimism(pessimism.next(state: state.pessimism, rng: &rng))
                default: command = .optimism(optimism.next(state: state.optimism, rng: &rng))
                }
                do throws(EngineHost.Failure) {
                    try await host.execute(command, now: now)
                } catch {
                    guard case .rejected = error else { throw error }
                    rejected += 1
                }
                if commands % 500 == 0 {
                    let s = await host.state
                    #expect(throws: Never.self, "seed \(seed) after \(commands) commands") { try s.checkInvariants() }
                }
            }
            let live = await host.state
            #expect(live.eventCount >= 10_000, "seed \(seed): only \(live.eventCount) events from \(commands) commands (\(rejected) rejected)")
            try live.checkInvariants()

            let fullFold = try ClusterState.rebuild(from: log, useSnapshots: false)
            let fromSnapshot = try ClusterState.rebuild(from: log)
            #expect(fullFold == live, "seed \(seed): full fold differs from live state")
            #expect(fromSnapshot == live, "seed \(seed): snapshot + tail differs from live state")
            #expect(try log.snapshotSequences().count >= 5, "seed \(seed): snapshots were not taken")

            let middle = UInt64.random(in: 1...live.lastSequence, using: &rng)
            let middleFold = try ClusterState.rebuild(from: log, through: middle, useSnapshots: false)
            let middleSnapshot = try ClusterState.rebuild(from: log, through: middle)
            #expect(middleFold == middleSnapshot, "seed \(seed): state at \(middle) differs between fold and snapshot+tail")
            #expect(middleFold.lastSequence == middle)
        }
    }
}
