/// A DM name pattern: `*` and `?` wildcards, or a regular expression when it starts with `~`.
///
/// Matching is case-insensitive, as DM's default (`case-sensitive: false`) is.
public struct NamePattern: Sendable, CustomStringConvertible {
    public let text: String
    private let kind: Kind

    private enum Kind: Sendable {
        case exact(String)
        case glob([UInt8])
        case regex(CompiledRegex)
    }

    public init(_ text: String) throws(RouterError) {
        self.text = text
        if text.hasPrefix("~") {
            do {
                self.kind = .regex(try CompiledRegex(String(text.dropFirst())))
            } catch {
                throw RouterError(.invalidPattern, "pattern \"\(text)\" is not a valid regular expression: \(error)")
            }
        } else if text.contains("*") || text.contains("?") {
            self.kind = .glob(Array(text.lowercased().utf8))
        } else {
            self.kind = .exact(text.lowercased())
        }
    }

    public var description: String { self.text }

    public func matches(_ name: String) -> Bool {
        switch self.kind {
        case .exact(let exact):
            return name.lowercased() == exact
        case .glob(let pattern):
            return Self.glob(pattern[...], Array(name.lowercased().utf8)[...])
        case .regex(let regex):
            return regex.matches(name)
        }
    }

    /// Iterative wildcard matching with single-star backtracking: linear in practice.
    private static func glob(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        var starP: Int? = nil
        var starN = name.startIndex
        while n < name.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == name[n] {
                p += 1
                n += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                starP = p
                starN = n
                p += 1
            } else if let star = starP {
                p = star + 1
                starN += 1
                n = starN
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
