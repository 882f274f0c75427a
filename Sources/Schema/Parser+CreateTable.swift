/// `CREATE TABLE`, index definitions and table options (shared with `ALTER TABLE`).
extension Parser {
    mutating func createTable() throws(DDLParseError) -> CreateTable {
        let ifNotExists = self.accept("IF") ? try self.notExists() : false
        var create = CreateTable(table: try self.qualifiedName("CREATE TABLE"), ifNotExists: ifNotExists, columns: [])
        if self.current.isWord("LIKE") || self.current.isPunct("(") && self.peek().isWord("LIKE") {
            throw self.unsupported("CREATE TABLE ... LIKE")
        }
        guard self.acceptPunct("(") else {
            if self.current.isWord("AS") || self.current.isWord("SELECT") {
                throw self.unsupported("CREATE TABLE ... SELECT")
            }
            throw self.syntax("CREATE TABLE", "expected '(', found \(self.describeCurrent())")
        }
        repeat {
            if let index = try self.indexDefinition() {
                create.indexes.append(index)
            } else {
                let (column, inline) = try self.columnDefinition()
                create.columns.append(column)
                create.indexes.append(contentsOf: inline)
            }
        } while self.acceptPunct(",")
        try self.expectPunct(")", in: "CREATE TABLE")
        let (charset, collation, options) = try self.tableOptions(inAlter: false)
        create.charset = charset
        create.collation = collation
        create.options = options
        if self.current.isWord("PARTITION") {
            guard let clause = try self.partitionClause(), clause.kind == .partitionBy else {
                throw self.syntax("CREATE TABLE", "expected PARTITION BY, found \(self.describeCurrent())")
            }
            create.partition = clause
        }
        if self.current.isWord("AS") || self.current.isWord("SELECT") || self.current.isWord("IGNORE")
            || self.current.isWord("REPLACE")
        {
            throw self.unsupported("CREATE TABLE ... SELECT")
        }
        return create
    }

    /// An index definition if one starts here (`PRIMARY KEY`, `UNIQUE`, `KEY`, `INDEX`, `FULLTEXT`,
    /// `SPATIAL`, `CONSTRAINT`), `nil` (nothing consumed) if a column definition does.
    mutating func indexDefinition() throws(DDLParseError) -> IndexInfo? {
        var constraintName: String?
        if self.accept("CONSTRAINT") {
            if !self.current.isWord("PRIMARY") && !self.current.isWord("UNIQUE") && !self.current.isWord("FOREIGN")
                && !self.current.isWord("CHECK")
            {
                constraintName = try self.identifier("CONSTRAINT")
            }
            if !self.current.isWord("PRIMARY") && !self.current.isWord("UNIQUE") {
                throw self.current.isWord("FOREIGN") || self.current.isWord("CHECK")
                    ? self.unsupported(self.current.isWord("CHECK") ? "CHECK constraint" : "FOREIGN KEY")
                    : self.syntax("CONSTRAINT", "expected PRIMARY KEY or UNIQUE, found \(self.describeCurrent())")
            }
        }
        let kind: IndexInfo.Kind
        switch self.current.upper {
        case _ where self.current.kind != .word:
            return nil
        case "PRIMARY":
            self.advance()
            try self.expect("KEY", in: "PRIMARY KEY")
            kind = .primary
        case "UNIQUE":
            self.advance()
            _ = self.accept("KEY") || self.accept("INDEX")
            kind = .unique
        case "KEY", "INDEX":
            self.advance()
            kind = .plain
        case "FULLTEXT", "SPATIAL":
            kind = self.current.upper == "SPATIAL" ? .spatial : .fulltext
            self.advance()
            _ = self.accept("KEY") || self.accept("INDEX")
        case "FOREIGN":
            throw self.unsupported("FOREIGN KEY")
        case "CHECK":
            throw self.unsupported("CHECK constraint")
        case "PERIOD":
            throw self.unsupported("PERIOD FOR")
        default:
            return nil
        }
        var name = kind == .primary ? IndexInfo.primaryName : (constraintName ?? "")
        if kind != .primary, !self.current.isPunct("("), !self.current.isWord("USING") {
            name = try self.identifier("\(kind.rawValue) name")
        }
        var index = IndexInfo(name: name, kind: kind, columns: [])
        if self.accept("USING") { index.algorithm = try self.indexAlgorithm() }
        try self.expectPunct("(", in: "index key parts")
        repeat {
            if self.current.isPunct("(") { throw self.unsupported("functional key part") }
            var part = IndexColumn(try self.identifier("index key part"))
            if self.acceptPunct("(") {
                part.prefixLength = try self.integer("index prefix length")
                try self.expectPunct(")", in: "index prefix length")
            }
            if self.accept("DESC") { part.descending = true } else { _ = self.accept("ASC") }
            index.columns.append(part)
        } while self.acceptPunct(",")
        try self.expectPunct(")", in: "index key parts")
        while true {
            if self.accept("USING") {
                index.algorithm = try self.indexAlgorithm()
            } else if self.accept("COMMENT") {
                index.comment = try self.string("index COMMENT")
            } else if self.accept("VISIBLE") {
                continue
            } else if self.accept("KEY_BLOCK_SIZE") {
                _ = self.acceptPunct("=")
                _ = try self.integer("KEY_BLOCK_SIZE")  // a storage hint with no effect on the schema
            } else if self.current.isWord("INVISIBLE") || self.current.isWord("WITH")
                || self.current.isWord("ENGINE_ATTRIBUTE") || self.current.isWord("CLUSTERED")
                || self.current.isWord("NONCLUSTERED")
            {
                throw self.unsupported("index option \(self.current.upper)")
            } else {
                return index
            }
        }
    }

    private mutating func indexAlgorithm() throws(DDLParseError) -> String {
        guard self.accept("BTREE") || self.accept("HASH") || self.accept("RTREE") else {
            throw self.syntax("USING", "expected BTREE or HASH, found \(self.describeCurrent())")
        }
        return self.tokens[self.index - 1].upper
    }

    /// Table options after `CREATE TABLE (...)` or inside `ALTER TABLE`, separated by optional commas
    /// (in ALTER the comma separates specs, so there it stops at a comma, and an unknown option
    /// must be written `NAME=value`).
    static let clauseKeywords: Set<String> = [
        "ADD", "DROP", "MODIFY", "CHANGE", "ALTER", "RENAME", "CONVERT", "DISABLE", "ENABLE", "DISCARD", "IMPORT",
        "ORDER", "CHARSET", "CHARACTER", "COLLATE", "DEFAULT", "FORCE", "PARTITION",
    ]

    mutating func tableOptions(inAlter: Bool) throws(DDLParseError)
        -> (charset: String?, collation: String?, options: TableOptions)
    {
        var charset: String?
        var collation: String?
        var options = TableOptions()
        while true {
            let token = self.current
            guard token.kind == .word else {
                if !inAlter, token.isPunct(","), self.peek().kind == .word, !self.peek().isWord("PARTITION") {
                    self.advance()
                    continue
                }
                return (charset, collation, options)
            }
            if self.atAlterPartitioning { return (charset, collation, options) }
            let hadDefault = self.accept("DEFAULT")
            if self.accept("CHARACTER", "SET") || self.accept("CHARSET") {
                _ = self.acceptPunct("=")
                charset = try self.charsetName("CHARACTER SET")
                continue
            }
            if self.accept("COLLATE") {
                _ = self.acceptPunct("=")
                collation = try self.charsetName("COLLATE")
                continue
            }
            if hadDefault { throw self.syntax("table options", "expected CHARACTER SET or COLLATE after DEFAULT") }
            switch token.upper {
            case "PARTITION", "AS", "SELECT", "IGNORE", "REPLACE":
                return (charset, collation, options)
            case "ENGINE", "TYPE":
                self.advance()
                _ = self.acceptPunct("=")
                options.engine = try self.optionValue()
            case "AUTO_INCREMENT":
                self.advance()
                _ = self.acceptPunct("=")
                guard self.current.kind == .number, let value = UInt64(self.current.text) else {
                    throw self.syntax("AUTO_INCREMENT", "expected an integer, found \(self.describeCurrent())")
                }
                self.advance()
                options.autoIncrement = value
            case "COMMENT":
                self.advance()
                _ = self.acceptPunct("=")
                options.comment = try self.string("table COMMENT")
            case "UNION", "DATA", "INDEX", "TABLESPACE", "ENCRYPTION", "SECONDARY_ENGINE":
                throw self.unsupported("table option \(token.upper)")
            default:
                // A clause keyword is never an option name (`DROP = x` must not parse as an option that
                // renders back as a DROP clause).
                guard !Self.clauseKeywords.contains(token.upper),
                    self.peek().isPunct("=") || (!inAlter && self.peek().kind != .punct)
                else {
                    throw self.syntax("table options", "unexpected \(self.describeCurrent())")
                }
                self.advance()
                _ = self.acceptPunct("=")
                let value = self.current
                switch value.kind {
                case .string: options.other.append(RawTableOption(name: token.upper, value: SQLText.string(value.text)))
                case .word, .number:
                    options.other.append(RawTableOption(name: token.upper, value: value.kind == .word ? value.upper : value.text))
                case .quotedIdentifier:
                    options.other.append(RawTableOption(name: token.upper, value: SQLText.identifier(value.text)))
                case .bitOrHex, .punct, .end:
                    throw self.syntax("table option \(token.upper)", "expected a value, found \(self.describeCurrent())")
                }
                self.advance()
            }
        }
    }

    private mutating func optionValue() throws(DDLParseError) -> String {
        let token = self.current
        switch token.kind {
        case .word, .quotedIdentifier, .string:
            self.advance()
            return token.text
        case .number, .bitOrHex, .punct, .end:
            throw self.syntax("table option", "expected a name, found \(self.describeCurrent())")
        }
    }
}
