import BraidTestSupport
import Domain
import Testing

/// The golden corpus of the pessimism events.
@Suite struct PessimismGoldenCorpusTests {
    @Test func everyCaseDecodesAndReencodesByteForByte() throws {
        let problems = try GoldenEvents.problems(PessimismEventCodingTests.samples.map(Event.pessimism), categories: [.pessimism], file: "pessimism-events.txt")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
