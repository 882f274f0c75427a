/// A hand-written recursive-descent parser for the DDL statements shard coordination handles.
///
/// Why hand-written: the parser runs on every DDL of every shard, must give precise offsets and
/// must refuse (not mis-parse) what it does not model. Anything outside the supported subset
/// throws ``DDLParseError`` with code `.unsupported`, so a caller never silently drops a foreign
/// key (partition clauses are kept as text, see ``PartitionClause``).
public enum DDLParser {
    /// Parses one statement (an optional trailing `;` is allowed).
    ///
    /// - Throws: ``DDLParseError`` with the construct and character offset of the problem.
    public static func parse(_ sql: String) throws(DDLParseError) -> DDLStatement {
        let (tokens, utf8) = try Lexer.tokenize(sql)
        var parser = Parser(tokens: tokens, utf8: utf8)
        let statement = try parser.statement()
        if parser.current.isPunct(";") { parser.advance() }
        guard parser.current.kind == .end else {
            throw parser.syntax("statement", "unexpected \(parser.describeCurrent()) after the end of the statement")
        }
        return statement
    }
}

/// Parser state: the token array and a cursor. Grammar rules live in `Parser+*.swift`.
struct Parser {
    let tokens: [Token]
    let utf8: [UInt8]
    var index = 0

    var current: Token { self.tokens[self.index] }

    func peek(_ ahead: Int = 1) -> Token {
        self.tokens[min(self.index + ahead, self.tokens.count - 1)]
    }

    mutating func advance() {
        if self.index < self.tokens.count - 1 { self.index += 1 }
    }

    // MARK: - Errors

    func syntax(_ construct: String, _ message: String, at token: Token? = nil) -> DDLParseError {
        DDLParseError(.syntax, construct: construct, message, offset: characterOffset(self.utf8, (token ?? self.current).offset))
    }

    func unsupported(_ construct: String, at token: Token? = nil) -> DDLParseError {
        DDLParseError(
            .unsupported, construct: construct, "\(construct) is not supported",
            offset: characterOffset(self.utf8, (token ?? self.current).offset))
    }

    func describeCurrent() -> String {
        switch self.current.kind {
        case .end: return "end of statement"
        case .string: return "string '\(self.current.text)'"
        case .word, .quotedIdentifier, .number, .bitOrHex, .punct: return "'\(self.current.text)'"
        }
    }

    // MARK: - Token helpers

    /// Consumes the keyword if it is next.
    mutating func accept(_ keyword: String) -> Bool {
        guard self.current.isWord(keyword) else { return false }
        self.advance()
        return true
    }

    /// Consumes the keywords if they are all next, in order; consumes nothing otherwise.
    mutating func accept(_ first: String, _ second: String) -> Bool {
        guard self.current.isWord(first), self.peek().isWord(second) else { return false }
        self.advance()
        self.advance()
        return true
    }

    mutating func acceptPunct(_ symbol: String) -> Bool {
        guard self.current.isPunct(symbol) else { return false }
        self.advance()
        return true
    }

    mutating func expect(_ keyword: String, in construct: String) throws(DDLParseError) {
        guard self.accept(keyword) else {
            throw self.syntax(construct, "expected \(keyword), found \(self.describeCurrent())")
        }
    }

    mutating func expectPunct(_ symbol: String, in construct: String) throws(DDLParseError) {
        guard self.acceptPunct(symbol) else {
            throw self.syntax(construct, "expected '\(symbol)', found \(self.describeCurrent())")
        }
    }

    /// Words that cannot be unquoted identifiers here (MySQL reserved words the grammar relies on).
    static let reserved: Set<String> = [
        "ADD", "ALTER", "AND", "AS", "ASC", "BETWEEN", "BY", "CASCADE", "CHANGE", "CHARACTER", "CHECK", "COLLATE",
        "COLUMN", "CONSTRAINT", "CONVERT", "CREATE", "DATABASE", "DEFAULT", "DELETE", "DESC", "DROP", "EXISTS",
        "FOREIGN", "FROM", "FULLTEXT", "GENERATED", "IF", "IN", "INDEX", "INSERT", "INTO", "IS", "KEY", "KEYS", "LIKE",
        "MODIFY", "NOT", "NULL", "ON", "OR", "PRIMARY", "REFERENCES", "RENAME", "SELECT", "SET", "SPATIAL", "TABLE",
        "TO", "UNIQUE", "UPDATE", "USING", "WHERE", "PARTITION", "SCHEMA", "UNSIGNED", "ZEROFILL",
    ]

    /// An identifier: backquoted, or a bare word that is not reserved.
    mutating func identifier(_ construct: String) throws(DDLParseError) -> String {
        let token = self.current
        switch token.kind {
        case .quotedIdentifier:
            guard !token.text.isEmpty else { throw self.syntax(construct, "empty identifier") }
            self.advance()
            return token.text
        case .word where !Parser.reserved.contains(token.upper):
            self.advance()
            return token.text
        case .word, .string, .number, .bitOrHex, .punct, .end:
            throw self.syntax(construct, "expected an identifier, found \(self.describeCurrent())")
        }
    }

    /// `name` or `schema.name`.
    mutating func qualifiedName(_ construct: String) throws(DDLParseError) -> QualifiedName {
        let first = try self.identifier(construct)
        guard self.acceptPunct(".") else { return QualifiedName(first) }
        return QualifiedName(schema: first, try self.identifier(construct))
    }

    /// A charset or collation name: identifier, string or the word BINARY.
    mutating func charsetName(_ construct: String) throws(DDLParseError) -> String {
        let token = self.current
        switch token.kind {
        case .string where !token.text.isEmpty, .quotedIdentifier where !token.text.isEmpty:
            self.advance()
            return token.text.lowercased()
        case .word where token.upper == "BINARY" || token.upper == "DEFAULT" || !Parser.reserved.contains(token.upper):
            self.advance()
            return token.text.lowercased()
        case .word, .string, .quotedIdentifier, .number, .bitOrHex, .punct, .end:
            throw self.syntax(construct, "expected a character set or collation name, found \(self.describeCurrent())")
        }
    }

    /// A non-negative integer literal, e.g. a length.
    mutating func integer(_ construct: String) throws(DDLParseError) -> Int {
        let token = self.current
        guard token.kind == .number, let value = Int(token.text), value >= 0 else {
            throw self.syntax(construct, "expected an integer, found \(self.describeCurrent())")
        }
        self.advance()
        return value
    }

    mutating func string(_ construct: String) throws(DDLParseError) -> String {
        let token = self.current
        guard token.kind == .string else {
            throw self.syntax(construct, "expected a string, found \(self.describeCurrent())")
        }
        self.advance()
        return token.text
    }

    // MARK: - Statements

    mutating func statement() throws(DDLParseError) -> DDLStatement {
        let token = self.current
        switch token.kind {
        case .word:
            switch token.upper {
            case "CREATE": return try self.create()
            case "ALTER":
                self.advance()
                guard self.accept("TABLE") else { throw self.unsupported("ALTER \(self.current.upper)") }
                return .alterTable(try self.alterTable())
            case "DROP": return try self.drop()
            case "TRUNCATE":
                self.advance()
                _ = self.accept("TABLE")
                return .truncateTable(try self.qualifiedName("TRUNCATE TABLE"))
            case "RENAME":
                self.advance()
                guard self.accept("TABLE") else { throw self.unsupported("RENAME \(self.current.upper)") }
                return .renameTable(try self.renameTable())
            default:
                throw self.unsupported("\(token.upper) statement")
            }
        case .end:
            throw self.syntax("statement", "empty statement")
        case .string, .quotedIdentifier, .number, .bitOrHex, .punct:
            throw self.syntax("statement", "expected a statement, found \(self.describeCurrent())")
        }
    }

    private mutating func create() throws(DDLParseError) -> DDLStatement {
        self.advance()
        if self.accept("TABLE") { return .createTable(try self.createTable()) }
        if self.accept("DATABASE") || self.accept("SCHEMA") { return .createDatabase(try self.createDatabase()) }
        if self.current.isWord("TEMPORARY") { throw self.unsupported("CREATE TEMPORARY TABLE") }
        if self.current.isWord("UNIQUE") || self.current.isWord("INDEX") || self.current.isWord("FULLTEXT")
            || self.current.isWord("SPATIAL")
        {
            throw self.unsupported("CREATE INDEX")
        }
        throw self.unsupported("CREATE \(self.current.kind == .end ? "" : self.current.upper)")
    }

    private mutating func drop() throws(DDLParseError) -> DDLStatement {
        self.advance()
        if self.accept("TABLE") {
            let ifExists = self.accept("IF", "EXISTS")
            var tables = [try self.qualifiedName("DROP TABLE")]
            while self.acceptPunct(",") { tables.append(try self.qualifiedName("DROP TABLE")) }
            _ = self.accept("RESTRICT") || self.accept("CASCADE")
            return .dropTable(DropTable(tables: tables, ifExists: ifExists))
        }
        if self.accept("DATABASE") || self.accept("SCHEMA") {
            let ifExists = self.accept("IF", "EXISTS")
            return .dropDatabase(DropDatabase(name: try self.identifier("DROP DATABASE"), ifExists: ifExists))
        }
        if self.current.isWord("TEMPORARY") { throw self.unsupported("DROP TEMPORARY TABLE") }
        throw self.unsupported("DROP \(self.current.kind == .end ? "" : self.current.upper)")
    }

    private mutating func renameTable() throws(DDLParseError) -> [TableRename] {
        var renames: [TableRename] = []
        repeat {
            let from = try self.qualifiedName("RENAME TABLE")
            try self.expect("TO", in: "RENAME TABLE")
            renames.append(TableRename(from: from, to: try self.qualifiedName("RENAME TABLE")))
        } while self.acceptPunct(",")
        return renames
    }

    private mutating func createDatabase() throws(DDLParseError) -> CreateDatabase {
        let ifNotExists = self.accept("IF") ? try self.notExists() : false
        var database = CreateDatabase(name: try self.identifier("CREATE DATABASE"), ifNotExists: ifNotExists)
        while true {
            let hadDefault = self.accept("DEFAULT")
            if self.accept("CHARACTER", "SET") || self.accept("CHARSET") {
                _ = self.acceptPunct("=")
                database.charset = try self.charsetName("CREATE DATABASE")
            } else if self.accept("COLLATE") {
                _ = self.acceptPunct("=")
                database.collation = try self.charsetName("CREATE DATABASE")
            } else if hadDefault || self.current.kind == .word {
                throw self.current.kind == .word
                    ? self.unsupported("database option \(self.current.upper)")
                    : self.syntax("CREATE DATABASE", "expected CHARACTER SET or COLLATE")
            } else {
                return database
            }
        }
    }

    /// After `IF`: `NOT EXISTS`.
    mutating func notExists() throws(DDLParseError) -> Bool {
        try self.expect("NOT", in: "IF NOT EXISTS")
        try self.expect("EXISTS", in: "IF NOT EXISTS")
        return true
    }
}
