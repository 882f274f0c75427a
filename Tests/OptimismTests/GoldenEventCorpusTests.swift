import BraidTestSupport
import Domain
import Testing

/// The golden corpus of the optimism events.
@Suite struct OptimismGoldenCorpusTests {
    @Test func everyCaseDecodesAndReencodesByteForByte() throws {
        let samples = EventCodingTests.all.map(Event.optimism)
        let missing = GoldenEvents.uncovered(samples, categories: [.optimism])
        #expect(missing.isEmpty, "\(missing)")
        let problems = try GoldenEvents.check(samples, file: "optimism-events.txt")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
