import BraidTestSupport
import EventLog
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reads a child's stdout on a background thread and keeps the acknowledged sequences.
final class AckCollector: Sendable {
    private let state = Mutex<(acked: [UInt64], partial: String)>(([], ""))

    func consume(_ data: Data) {
        self.state.withLock { state in
            state.partial += String(decoding: data, as: UTF8.self)
            while let newline = state.partial.firstIndex(of: "\n") {
                let line = state.partial[..<newline]
                state.partial = String(state.partial[state.partial.index(after: newline)...])
                let parts = line.split(separator: " ")
                guard parts.count == 3, parts[0] == "ACK", let first = UInt64(parts[1]), let count = UInt64(parts[2]) else { continue }
                state.acked += Array(first..<(first + count))
            }
        }
    }

    var acked: [UInt64] { self.state.withLock { $0.acked } }
}

@Suite(.serialized) struct CrashSafetyTests {
    /// SIGKILL a durable appender 20 times at random moments; after each reopen every acknowledged
    /// append is present, no partial record exists, and verify passes.
    @Test func killedAppenderLosesNoAcknowledgedAppend() async throws {
        var rng = SeededRandom.fromEnvironment()
        let seed = rng.seed
        try await withTemporaryDirectory("crash") { dir in
            var allAcked: Set<UInt64> = []
            for round in 1...20 {
                let child = Process()
                child.executableURL = URL(fileURLWithPath: builtExecutable(named: "EventLogCrashFixture"))
                child.arguments = [dir, "\(round)"]
                let pipe = Pipe()
                child.standardOutput = pipe
                let collector = AckCollector()
                pipe.fileHandleForReading.readabilityHandler = { handle in collector.consume(handle.availableData) }
                try child.run()
                let target = Int.random(in: 1...400, using: &rng)
                let reached = try await eventually(timeout: .seconds(30)) { collector.acked.count >= target }
                #expect(reached, "seed \(seed) round \(round): child never acknowledged \(target) appends")
                kill(child.processIdentifier, SIGKILL)
                child.waitUntilExit()
                pipe.fileHandleForReading.readabilityHandler = nil
                collector.consume(pipe.fileHandleForReading.readDataToEndOfFile())
                #expect(child.terminationReason == .uncaughtSignal)
                allAcked.formUnion(collector.acked)

                let log = try LMDBLog(path: dir)
                let report = try log.verify()
                #expect(report.isSound, "seed \(seed) round \(round): \(String(describing: report.firstProblem))")
                let maxAcked = allAcked.max() ?? 0
                #expect(log.lastSequence >= maxAcked, "seed \(seed) round \(round): acknowledged \(maxAcked) but log ends at \(log.lastSequence)")
                // Every record decodes and every acknowledged sequence is there with its own term's data.
                var present = 0
                try log.forEachRecord(in: 1...max(log.lastSequence, 1)) { record in
                    if allAcked.contains(record.sequence) { present += 1 }
                    return true
                }
                #expect(present == allAcked.count, "seed \(seed) round \(round): \(allAcked.count - present) acknowledged records missing")
            }
        }
    }
}
