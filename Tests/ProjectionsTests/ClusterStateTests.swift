import BinaryCoding
import BraidTestSupport
import Domain
import EventLog
import Leader
import Projections
import Testing

@Suite struct ClusterStateTests {
    @Test func emptyStateRoundTripsThroughASnapshot() throws {
        let state = ClusterState()
        #expect(try ClusterState(snapshotBytes: state.snapshotBytes()) == state)
    }

    @Test func corruptSnapshotBytesAreATypedError() throws {
        var bytes = ClusterState().snapshotBytes()
        bytes.append(0xFF)
        #expect(throws: BinaryDecodingError.self) { try ClusterState(snapshotBytes: bytes) }
    }

    @Test func stateAtTimeUsesRecordTimestamps() async throws {
        try await withTemporaryDirectory("projection") { dir in
            let log = try LMDBLog(path: dir, options: .init(syncMode: .noSync))
            let host = try await EngineHost(log: log)
            var generator = SchedulingCommandGenerator()
            var rng = SeededRandom(seed: 7)
            var times: [(Int64, UInt64)] = []
            for i in 0..<200 {
                let now = 1_000_000 + Int64(i) * 1_000
                let state = await host.state
                _ = try? await host.execute(.scheduling(generator.next(state: state.scheduling, rng: &rng, now: now)), now: now)
                times.append((now, await host.state.lastSequence))
            }
            for (time, sequence) in times.shuffled(using: &rng).prefix(20) {
                #expect(try ClusterState.lastSequence(in: log, atOrBefore: time) == sequence)
            }
            #expect(try ClusterState.lastSequence(in: log, atOrBefore: 0) == 0)
        }
    }

    @Test func aRestartedHostRebuildsTheSameStateAndFencesTheOldTerm() async throws {
        try await withTemporaryDirectory("projection") { dir in
            let log = try LMDBLog(path: dir, options: .init(syncMode: .noSync))
            let first = try await EngineHost(log: log, options: .init(snapshotEvery: 50))
            var generator = SchedulingCommandGenerator()
            var rng = SeededRandom(seed: 11)
            for i in 0..<300 {
                let state = await first.state
                _ = try? await first.execute(.scheduling(generator.next(state: state.scheduling, rng: &rng, now: Int64(i) * 700)), now: Int64(i) * 700)
            }
            let before = await first.state
            let second = try await EngineHost(log: log)
            #expect(await second.state == before)
            #expect(second.term > first.term)
            // The deposed host can no longer write, even a command that always produces an event.
            let fact = ClusterCommand.record(.checkpoint(.reported(
                task: "t", source: "s", position: BinlogPosition(file: "mysql-bin.000001", pos: 4), gtid: nil, at: 1)))
            do throws(EngineHost.Failure) {
                try await first.execute(fact, now: 999_999)
                Issue.record("the deposed host appended")
            } catch {
                guard case .storage(let e) = error else {
                    Issue.record("expected a storage error, got \(error)")
                    return
                }
                #expect(e.code == .staleTerm)
            }
            try await second.execute(fact, now: 1_000_000)
            #expect(await second.state == (try ClusterState.rebuild(from: log)))
        }
    }
}

@Suite struct RebuildFailureTests {
    @Test func undecodableRecordStopsTheRebuildWithItsSequence() async throws {
        for count in [10, 5_000] {  // sequential and pipelined folds
            try await withTemporaryDirectory("rebuild-bad") { dir in
                let log = try LMDBLog(path: dir, options: .init(syncMode: .noSync))
                let good = Event.worker(.keepalive("w1", at: 1))
                var entries = Array(repeating: LogEntry(typeTag: good.typeTag, payload: good.encodedPayload(), timestamp: 1), count: count)
                entries.append(LogEntry(typeTag: good.typeTag, payload: [1, 0xFF], timestamp: 2))
                _ = try await log.append(entries, term: 1)
                #expect {
                    _ = try ClusterState.rebuild(from: log, useSnapshots: false)
                } throws: { error in
                    guard let error = error as? RebuildError else { return false }
                    return error.code == .undecodableEvent && error.sequence == UInt64(count + 1)
                }
                let prefix = try ClusterState.rebuild(from: log, through: UInt64(count), useSnapshots: false)
                #expect(prefix.eventCount == UInt64(count))
            }
        }
    }
}
