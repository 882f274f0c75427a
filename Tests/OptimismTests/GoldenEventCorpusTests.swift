import BraidTestSupport
import Domain
import Testing

/// The golden corpus of the optimism events.
@Suite struct OptimismGoldenCorpusTests {
    @Test func everyCaseDecodesAndReencodesByteForByte() throws {
        let problems = try GoldenEvents.problems(EventCodingTests.all.map(Event.optimism), categories: [.optimism], file: "optimism-events.txt")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
