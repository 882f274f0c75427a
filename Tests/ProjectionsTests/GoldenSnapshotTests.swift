import BraidTestSupport
import Domain
import Foundation
import Projections
import Testing

/// The golden snapshot (issue 11): the bytes today's snapshot codec writes for a state with every
/// decider populated (scheduling, pessimism, optimism, checkpoints), at `ClusterState.snapshotVersion`.
/// A codec rewrite must decode it and re-encode it byte for byte. `BRAID_GOLDEN_WRITE=1` rewrites it
/// from a seeded command stream.
@Suite struct GoldenSnapshotTests {
    static var path: String { (#filePath as NSString).deletingLastPathComponent + "/Golden/cluster-state.txt" }

    /// 400 seeded commands for all three deciders, straight through the engine.
    static func generatedState() -> ClusterState {
        var rng = SeededRandom(seed: 20_261_203)
        var state = ClusterState()
        var scheduling = SchedulingCommandGenerator()
        var pessimism = PessimismCommandGenerator()
        var optimism = OptimismCommandGenerator()
        var now: Int64 = 1_764_000_000_000
        for i in 0..<400 {
            now += 250
            let command: ClusterCommand
            switch i % 3 {
            case 0: command = .scheduling(scheduling.next(state: state.scheduling, rng: &rng, now: now))
            case 1: command = .pessimism(pessimism.next(state: state.pessimism, rng: &rng))
            default: command = .optimism(optimism.next(state: state.optimism, rng: &rng))
            }
            _ = try? ClusterEngine.run(command, on: &state, timestamp: now)
        }
        return state
    }

    @Test func theSnapshotDecodesAndReencodesByteForByte() throws {
        if ProcessInfo.processInfo.environment["BRAID_GOLDEN_WRITE"] == "1" {
            let state = Self.generatedState()
            let hex = state.snapshotBytes().map { String(format: "%02x", $0) }.joined()
            try "version \(ClusterState.snapshotVersion)\n\(hex)\n".write(toFile: Self.path, atomically: true, encoding: .utf8)
        }
        let lines = try String(contentsOfFile: Self.path, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "version \(ClusterState.snapshotVersion)", "the snapshot version changed: write a new golden file beside this one")
        let text = try #require(lines.last)
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(try #require(UInt8(text[index..<next], radix: 16)))
            index = next
        }
        let state = try ClusterState(snapshotBytes: bytes)
        #expect(state.snapshotBytes() == bytes, "the golden snapshot does not re-encode byte for byte")
        // It is worth keeping only if every decider has something in it.
        #expect(!state.scheduling.workers.isEmpty && !state.scheduling.sources.isEmpty)
        #expect(!state.pessimism.infos.isEmpty || !state.pessimism.locks.isEmpty, "no pessimism state")
        #expect(!state.optimism.sourceTables.isEmpty, "no optimism state")
        #expect(state.eventCount > 100)
    }
}
