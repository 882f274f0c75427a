/// Why a DDL statement could not be parsed.
///
/// `unsupported` means the statement is valid MySQL that Braid deliberately does not handle
/// (foreign keys, CREATE INDEX, triggers): the caller should stop and ask an operator,
/// not skip it. `syntax` means the text is not valid DDL at all.
public struct DDLParseError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        case syntax
        case unsupported
    }

    public var code: Code
    /// The construct being parsed or refused, e.g. "column definition", "PARTITION BY".
    public var construct: String
    public var message: String
    /// Character offset into the statement (Swift `Character`s, not bytes).
    public var offset: Int

    public init(_ code: Code, construct: String, _ message: String, offset: Int) {
        self.code = code
        self.construct = construct
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(self.code) in \(self.construct) at offset \(self.offset): \(self.message)" }
}
