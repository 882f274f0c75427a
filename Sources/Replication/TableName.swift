/// An upstream or downstream table: `schema.table`.
public struct TableName: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var schema: String
    public var table: String

    public init(_ schema: String, _ table: String) {
        self.schema = schema
        self.table = table
    }

    public static func < (a: Self, b: Self) -> Bool { (a.schema, a.table) < (b.schema, b.table) }

    /// Backquoted for SQL: `` `db`.`tb` ``.
    public var quoted: String { quoteIdentifier(self.schema) + "." + quoteIdentifier(self.table) }
    public var description: String { self.quoted }
}

/// Backquotes an identifier, doubling any backquote inside it.
public func quoteIdentifier(_ name: String) -> String {
    "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
}
