public import Domain

extension TableName {
    /// `TableName("db", "tb")`: the pipeline names tables constantly.
    public init(_ schema: String, _ table: String) {
        self.init(schema: schema, table: table)
    }
}

/// Backquotes an identifier, doubling any backquote inside it.
public func quoteIdentifier(_ name: String) -> String {
    "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
}
