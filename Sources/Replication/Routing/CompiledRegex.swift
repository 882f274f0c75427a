/// A compiled, case-insensitive regular expression that can be shared across tasks.
///
/// `Regex<AnyRegexOutput>` is not `Sendable` only because its output type is not; the regex itself
/// is immutable once built (its lazily compiled program is published atomically by the runtime).
struct CompiledRegex: @unchecked Sendable {
    private let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws {
        self.regex = try Regex(pattern).ignoresCase()
    }

    func matches(_ text: String) -> Bool { text.firstMatch(of: self.regex) != nil }
}
