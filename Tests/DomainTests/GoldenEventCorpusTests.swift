import BraidTestSupport
import Domain
import Testing

/// The golden corpus of the source, worker, binding, task, checkpoint and leader events.
@Suite struct GoldenEventCorpusTests {
    static func samples() throws -> [Event] {
        try EventRoundTripTests.samples() + [
            .leader(.elected(term: 3_939, member: "m2", at: 1_764_000_000_000)),
            .engine(.reactionRefused(concern: "pessimism", reaction: "pessimism.sourceLeftTask", reason: "unknown task")),
        ]
    }

    @Test func everyCaseDecodesAndReencodesByteForByte() throws {
        let samples = try Self.samples()
        // The coverage probe itself: the five worker cases, and the leader's one.
        #expect(GoldenEvents.knownTags(.worker).count == 5 && GoldenEvents.knownTags(.leader).count == 1)
        let problems = try GoldenEvents.problems(
            samples, categories: [.source, .worker, .binding, .task, .checkpoint, .leader, .engine], file: "domain-events.txt")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
