import BraidTestSupport
import Domain
import Testing

/// The golden corpus of the pessimism events.
@Suite struct PessimismGoldenCorpusTests {
    @Test func everyCaseDecodesAndReencodesByteForByte() throws {
        let samples = PessimismEventCodingTests.samples.map(Event.pessimism)
        let missing = GoldenEvents.uncovered(samples, categories: [.pessimism])
        #expect(missing.isEmpty, "\(missing)")
        let problems = try GoldenEvents.check(samples, file: "pessimism-events.txt")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
