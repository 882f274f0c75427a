/// `ALTER TABLE name spec[, spec]...`.
extension Parser {
    mutating func alterTable() throws(DDLParseError) -> AlterTable {
        var alter = AlterTable(table: try self.qualifiedName("ALTER TABLE"), specs: [])
        if self.current.kind == .end || self.current.isPunct(";") { return alter }
        repeat {
            let start = self.current
            if let clause = try self.partitionClause() {
                guard alter.specs.isEmpty || clause.kind == .partitionBy || clause.kind == .removePartitioning else {
                    throw self.syntax("ALTER TABLE", "a partition operation cannot follow other clauses", at: start)
                }
                alter.specs.append(.partition(clause))
                return alter  // a partition clause runs to the end of the statement
            }
            alter.specs.append(contentsOf: try self.alterSpec())
        } while self.acceptPunct(",")
        // `PARTITION BY` / `REMOVE PARTITIONING` may follow the other clauses without a comma.
        if self.atAlterPartitioning, let clause = try self.partitionClause() {
            alter.specs.append(.partition(clause))
        }
        return alter
    }

    /// One comma-separated clause; it may expand to several specs (inline keys) or none
    /// (`ALGORITHM=`, `LOCK=`, which only steer how the server runs the statement).
    private mutating func alterSpec() throws(DDLParseError) -> [AlterSpec] {
        let token = self.current
        guard token.kind == .word else {
            throw self.syntax("ALTER TABLE", "expected an alter specification, found \(self.describeCurrent())")
        }
        switch token.upper {
        case "ADD":
            self.advance()
            return try self.addSpec()
        case "DROP":
            self.advance()
            return [try self.dropSpec()]
        case "MODIFY":
            self.advance()
            _ = self.accept("COLUMN")
            let (column, indexes) = try self.columnDefinition()
            return [.modifyColumn(column, try self.position())] + indexes.map { .addIndex($0) }
        case "CHANGE":
            self.advance()
            _ = self.accept("COLUMN")
            let old = try self.identifier("CHANGE COLUMN")
            let (column, indexes) = try self.columnDefinition()
            return [.changeColumn(old: old, column, try self.position())] + indexes.map { .addIndex($0) }
        case "RENAME":
            self.advance()
            if self.accept("COLUMN") {
                let old = try self.identifier("RENAME COLUMN")
                try self.expect("TO", in: "RENAME COLUMN")
                return [.renameColumn(old: old, new: try self.identifier("RENAME COLUMN"))]
            }
            if self.accept("INDEX") || self.accept("KEY") {
                let old = try self.identifier("RENAME INDEX")
                try self.expect("TO", in: "RENAME INDEX")
                return [.renameIndex(old: old, new: try self.identifier("RENAME INDEX"))]
            }
            throw self.unsupported("ALTER TABLE ... RENAME TO")
        case "ALTER":
            self.advance()
            if self.current.isWord("INDEX") || self.current.isWord("CHECK") || self.current.isWord("CONSTRAINT") {
                throw self.unsupported("ALTER \(self.current.upper)")
            }
            _ = self.accept("COLUMN")
            let column = try self.identifier("ALTER COLUMN")
            if self.accept("SET") {
                try self.expect("DEFAULT", in: "ALTER COLUMN")
                return [.setDefault(column: column, try self.defaultValue())]
            }
            if self.accept("DROP") {
                try self.expect("DEFAULT", in: "ALTER COLUMN")
                return [.dropDefault(column: column)]
            }
            throw self.syntax("ALTER COLUMN", "expected SET DEFAULT or DROP DEFAULT, found \(self.describeCurrent())")
        case "CONVERT":
            self.advance()
            try self.expect("TO", in: "CONVERT TO")
            guard self.accept("CHARACTER", "SET") || self.accept("CHARSET") else {
                throw self.syntax("CONVERT TO", "expected CHARACTER SET, found \(self.describeCurrent())")
            }
            let charset = try self.charsetName("CONVERT TO")
            let collation = self.accept("COLLATE") ? try self.charsetName("CONVERT TO") : nil
            return [.convertTo(charset: charset, collation: collation)]
        case "ALGORITHM", "LOCK":
            self.advance()
            _ = self.acceptPunct("=")
            guard self.current.kind == .word else {
                throw self.syntax(token.upper, "expected a value, found \(self.describeCurrent())")
            }
            self.advance()
            return []
        case "PARTITION", "FORCE", "ORDER", "ENABLE", "DISABLE", "DISCARD", "IMPORT", "COALESCE", "REORGANIZE",
            "EXCHANGE", "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", "REMOVE", "TRUNCATE", "UPGRADE",
            "WITH", "WITHOUT", "VALIDATION":
            throw self.unsupported("ALTER TABLE ... \(token.upper)")
        default:
            let before = self.index
            let (charset, collation, options) = try self.tableOptions(inAlter: true)
            var specs: [AlterSpec] = []
            if charset != nil || collation != nil { specs.append(.defaultCharset(charset: charset, collation: collation)) }
            if options != TableOptions() { specs.append(.tableOptions(options)) }
            guard self.index > before else {
                throw self.syntax("ALTER TABLE", "unexpected \(self.describeCurrent())")
            }
            return specs
        }
    }

    private mutating func addSpec() throws(DDLParseError) -> [AlterSpec] {
        if self.accept("COLUMN") || self.current.isPunct("(") {
            if self.current.isWord("IF") { throw self.unsupported("ADD COLUMN IF NOT EXISTS") }
            if self.acceptPunct("(") {
                var specs: [AlterSpec] = []
                repeat {
                    let (column, indexes) = try self.columnDefinition()
                    specs.append(.addColumn(column, .unspecified))
                    specs.append(contentsOf: indexes.map { .addIndex($0) })
                } while self.acceptPunct(",")
                try self.expectPunct(")", in: "ADD COLUMN")
                return specs
            }
        } else if let index = try self.indexDefinition() {
            return [.addIndex(index)]
        }
        let (column, indexes) = try self.columnDefinition()
        return [.addColumn(column, try self.position())] + indexes.map { .addIndex($0) }
    }

    private mutating func dropSpec() throws(DDLParseError) -> AlterSpec {
        if self.accept("PRIMARY") {
            try self.expect("KEY", in: "DROP PRIMARY KEY")
            return .dropPrimaryKey
        }
        if self.accept("INDEX") || self.accept("KEY") {
            if self.current.isWord("IF") { throw self.unsupported("DROP INDEX IF EXISTS") }
            return .dropIndex(try self.identifier("DROP INDEX"))
        }
        for construct in ["FOREIGN", "CHECK", "CONSTRAINT", "PARTITION"] where self.current.isWord(construct) {
            throw self.unsupported("DROP \(construct)")
        }
        _ = self.accept("COLUMN")
        if self.current.isWord("IF") { throw self.unsupported("DROP COLUMN IF EXISTS") }
        let column = try self.identifier("DROP COLUMN")
        _ = self.accept("RESTRICT") || self.accept("CASCADE")
        return .dropColumn(column)
    }

    private mutating func position() throws(DDLParseError) -> ColumnPosition {
        if self.accept("FIRST") { return .first }
        if self.accept("AFTER") { return .after(try self.identifier("AFTER")) }
        return .unspecified
    }
}
