/// A table's partitioning clause, or a partition maintenance operation, kept as canonical SQL text.
///
/// Partitioning decides where rows are stored, never which columns or keys a table has, so Braid
/// does not model it: the clause is captured token by token (balanced parentheses, known keywords
/// upper-cased, every other word as written, quoted identifiers and strings re-quoted) so that
/// rendering reproduces it downstream and the same clause written by two shards compares equal.
///
/// ``TableInfo`` deliberately does not carry it. `TableInfo` is what shard coordination compares
/// and joins across shards, and partitioning is not part of that schema: two shards partitioned
/// differently still merge row for row into one target, and a shard's `ADD PARTITION` must not
/// look like a schema conflict to an optimistic lock. The downstream `CREATE TABLE` of a table is
/// rendered from the statement itself (which keeps its clause), not from `TableInfo`. Keeping it out
/// also leaves `TableInfo`'s encoding in the event log and snapshots unchanged.
public struct PartitionClause: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `PARTITION BY ...` (in `CREATE TABLE` or `ALTER TABLE`).
        case partitionBy
        case removePartitioning
        case add
        case drop
        case truncate
        case coalesce
        case reorganize
        case exchange
        /// `ANALYZE | CHECK | OPTIMIZE | REBUILD | REPAIR PARTITION ...`: no change to the table's
        /// definition or rows.
        case maintenance
    }

    public var kind: Kind
    /// The clause's canonical text; for `EXCHANGE` the part before `WITH TABLE`.
    public var sql: String
    /// `EXCHANGE PARTITION p WITH TABLE t`: the other table (routed when rendered).
    public var exchangeTable: QualifiedName?
    /// `EXCHANGE ...`: the canonical text after the other table (`WITH VALIDATION`), possibly empty.
    public var exchangeSuffix: String

    public init(kind: Kind, sql: String, exchangeTable: QualifiedName? = nil, exchangeSuffix: String = "") {
        self.kind = kind
        self.sql = sql
        self.exchangeTable = exchangeTable
        self.exchangeSuffix = exchangeSuffix
    }

    /// The clause as written after `ALTER TABLE t` or after a `CREATE TABLE`'s options.
    public func rendered(renaming: (QualifiedName) -> QualifiedName = { $0 }) -> String {
        guard let other = self.exchangeTable else { return self.sql }
        return self.sql + " WITH TABLE " + SQLText.qualified(renaming(other))
            + (self.exchangeSuffix.isEmpty ? "" : " " + self.exchangeSuffix)
    }
}

extension Parser {
    static let partitionKeywords: Set<String> = [
        "PARTITION", "PARTITIONS", "SUBPARTITION", "SUBPARTITIONS", "BY", "LINEAR", "HASH", "KEY", "RANGE", "LIST",
        "COLUMNS", "VALUES", "LESS", "THAN", "IN", "MAXVALUE", "ALGORITHM", "ENGINE", "STORAGE", "COMMENT", "DATA",
        "INDEX", "DIRECTORY", "MAX_ROWS", "MIN_ROWS", "TABLESPACE", "NODEGROUP", "ADD", "DROP", "TRUNCATE",
        "COALESCE", "REORGANIZE", "INTO", "EXCHANGE", "WITH", "WITHOUT", "VALIDATION", "TABLE", "ANALYZE", "CHECK",
        "OPTIMIZE", "REBUILD", "REPAIR", "REMOVE", "PARTITIONING", "ALL", "NULL", "IF", "EXISTS", "NOT", "DEFAULT",
        "SYSTEM_TIME", "INTERVAL", "LIMIT", "CURRENT", "HISTORY", "AUTO", "STARTS", "AND", "OR", "DIV", "MOD",
    ]

    /// Keywords written with a space before a following `(` (other words are function names).
    static let spacedBeforeParenthesis: Set<String> = ["PARTITION", "SUBPARTITION", "INTO", "THAN", "IN"]

    /// Tokens are spaced except after `(`, before `)` and `,`, and between a function name and its
    /// `(`; a `.` is spaced too, so that re-lexing never glues it to a number.
    static func partitionNeedsSpace(_ previous: Token, _ token: Token) -> Bool {
        if token.isPunct(")") || token.isPunct(",") { return false }
        if previous.isPunct("(") { return token.isPunct(".") }
        if token.isPunct("("), previous.kind == .word || previous.kind == .quotedIdentifier {
            return Parser.spacedBeforeParenthesis.contains(previous.upper)
        }
        return true
    }

    /// `PARTITION BY` or `REMOVE PARTITIONING`, which in `ALTER TABLE` may follow the last clause
    /// without a comma and so ends a column definition or a list of table options.
    var atAlterPartitioning: Bool {
        self.current.isWord("PARTITION") && self.peek().isWord("BY")
            || self.current.isWord("REMOVE") && self.peek().isWord("PARTITIONING")
    }

    /// Canonical text of partition tokens (see ``PartitionClause``).
    static func partitionText(_ tokens: ArraySlice<Token>) -> String {
        var out = ""
        var previous: Token?
        for (i, token) in zip(tokens.indices, tokens) {
            if let previous, Parser.partitionNeedsSpace(previous, token) { out += " " }
            switch token.kind {
            case .word:
                let next = i + 1 < tokens.endIndex ? tokens[i + 1] : nil
                out += Parser.partitionKeywords.contains(token.upper) || next?.isPunct("(") == true ? token.upper : token.text
            case .quotedIdentifier:
                out += SQLText.identifier(token.text)
            case .string:
                out += SQLText.string(token.text)
            case .number, .bitOrHex, .punct, .end:
                out += token.text
            }
            previous = token
        }
        return out
    }

    /// Consumes the tokens from here to the end of the statement (an optional `;` excepted), checking
    /// that parentheses balance, and returns their canonical text.
    mutating func partitionTail(_ construct: String) throws(DDLParseError) -> String {
        let start = self.index
        var depth = 0
        while true {
            let token = self.current
            if token.kind == .end || depth == 0 && token.isPunct(";") { break }
            if token.isPunct("(") { depth += 1 }
            if token.isPunct(")") {
                depth -= 1
                if depth < 0 { throw self.syntax(construct, "unbalanced parentheses") }
            }
            self.advance()
        }
        guard depth == 0 else { throw self.syntax(construct, "unbalanced parentheses") }
        guard self.index > start else { throw self.syntax(construct, "empty partition clause") }
        return Parser.partitionText(self.tokens[start..<self.index])
    }

    /// A partition clause starting at the current token (`PARTITION BY`, `REMOVE PARTITIONING`,
    /// `ADD|DROP|TRUNCATE|COALESCE|REORGANIZE|EXCHANGE|ANALYZE|CHECK|OPTIMIZE|REBUILD|REPAIR PARTITION`),
    /// or `nil` with nothing consumed.
    mutating func partitionClause() throws(DDLParseError) -> PartitionClause? {
        let first = self.current
        guard first.kind == .word else { return nil }
        let second = self.peek()
        let kind: PartitionClause.Kind
        switch first.upper {
        case "PARTITION" where second.isWord("BY"): kind = .partitionBy
        case "REMOVE" where second.isWord("PARTITIONING"): kind = .removePartitioning
        case "ADD" where second.isWord("PARTITION"): kind = .add
        case "DROP" where second.isWord("PARTITION"): kind = .drop
        case "TRUNCATE" where second.isWord("PARTITION"): kind = .truncate
        case "COALESCE" where second.isWord("PARTITION"): kind = .coalesce
        case "REORGANIZE" where second.isWord("PARTITION"): kind = .reorganize
        case "EXCHANGE" where second.isWord("PARTITION"): kind = .exchange
        case "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR":
            guard second.isWord("PARTITION") else { return nil }
            kind = .maintenance
        default: return nil
        }
        guard kind == .exchange else {
            return PartitionClause(kind: kind, sql: try self.partitionTail("\(first.upper) PARTITION"))
        }
        let start = self.index
        while !(self.current.isWord("WITH") && self.peek().isWord("TABLE")) {
            guard self.current.kind != .end, !self.current.isPunct(";") else {
                throw self.syntax("EXCHANGE PARTITION", "expected WITH TABLE, found \(self.describeCurrent())")
            }
            self.advance()
        }
        let head = Parser.partitionText(self.tokens[start..<self.index])
        self.advance()
        self.advance()
        let other = try self.qualifiedName("EXCHANGE PARTITION")
        var suffix = ""
        if self.current.kind != .end, !self.current.isPunct(";") { suffix = try self.partitionTail("EXCHANGE PARTITION") }
        return PartitionClause(kind: .exchange, sql: head, exchangeTable: other, exchangeSuffix: suffix)
    }
}
