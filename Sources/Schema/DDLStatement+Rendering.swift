/// Re-rendering a statement for the downstream, with table names routed.
extension DDLStatement {
    /// The statement as canonical MySQL: keywords upper-case, every identifier backquoted.
    ///
    /// - Parameters:
    ///   - renaming: maps each upstream table name to the name to write (the route); the default
    ///     keeps names as they are.
    ///   - renamingSchema: maps database names in `CREATE/DROP DATABASE`.
    public func rendered(
        renaming: (QualifiedName) -> QualifiedName = { $0 }, renamingSchema: (String) -> String = { $0 }
    ) -> String {
        switch self {
        case .createTable(let create):
            var text = "CREATE TABLE "
            if create.ifNotExists { text += "IF NOT EXISTS " }
            text += SQLText.qualified(renaming(create.table)) + " ("
            text += (create.columns.map(\.sql) + create.indexes.map(\.sql)).joined(separator: ", ") + ")"
            // The order of SHOW CREATE TABLE: ENGINE, AUTO_INCREMENT, charset, collation, COMMENT, the rest.
            var options = create.options
            var clauses = [TableOptions(engine: options.engine, autoIncrement: options.autoIncrement).sql]
            if let charset = create.charset { clauses.append("DEFAULT CHARSET=\(SQLText.charsetName(charset))") }
            if let collation = create.collation { clauses.append("COLLATE=\(SQLText.charsetName(collation))") }
            (options.engine, options.autoIncrement) = (nil, nil)
            clauses.append(options.sql)
            for clause in clauses where !clause.isEmpty { text += " " + clause }
            if let partition = create.partition { text += " " + partition.rendered(renaming: renaming) }
            return text
        case .alterTable(let alter):
            // A partition clause follows the others without a comma.
            var specs = alter.specs.filter { if case .partition = $0 { false } else { true } }.map(\.sql)
                .joined(separator: ", ")
            for case .partition(let clause) in alter.specs {
                specs += (specs.isEmpty ? "" : " ") + clause.rendered(renaming: renaming)
            }
            return "ALTER TABLE " + SQLText.qualified(renaming(alter.table)) + (specs.isEmpty ? "" : " " + specs)
        case .dropTable(let drop):
            return "DROP TABLE " + (drop.ifExists ? "IF EXISTS " : "")
                + drop.tables.map { SQLText.qualified(renaming($0)) }.joined(separator: ", ")
        case .truncateTable(let table):
            return "TRUNCATE TABLE " + SQLText.qualified(renaming(table))
        case .renameTable(let renames):
            return "RENAME TABLE "
                + renames.map { SQLText.qualified(renaming($0.from)) + " TO " + SQLText.qualified(renaming($0.to)) }
                .joined(separator: ", ")
        case .createDatabase(let create):
            var text = "CREATE DATABASE " + (create.ifNotExists ? "IF NOT EXISTS " : "")
            text += SQLText.identifier(renamingSchema(create.name))
            if let charset = create.charset { text += " DEFAULT CHARACTER SET \(SQLText.charsetName(charset))" }
            if let collation = create.collation { text += " COLLATE \(SQLText.charsetName(collation))" }
            return text
        case .dropDatabase(let drop):
            return "DROP DATABASE " + (drop.ifExists ? "IF EXISTS " : "") + SQLText.identifier(renamingSchema(drop.name))
        }
    }

    /// Splits a multi-clause `ALTER TABLE` into one statement per clause, in order, as DM does before
    /// coordinating (each clause is then tracked and joined separately). Other statements, and an
    /// `ALTER TABLE` with no clause, are returned as they are.
    public func splitSpecs() -> [DDLStatement] {
        switch self {
        case .alterTable(let alter) where alter.specs.count > 1:
            return alter.specs.map { .alterTable(AlterTable(table: alter.table, specs: [$0])) }
        case .alterTable, .createTable, .dropTable, .truncateTable, .renameTable, .createDatabase, .dropDatabase:
            return [self]
        }
    }
}

extension AlterSpec {
    /// The clause as it appears after `ALTER TABLE t`.
    public var sql: String {
        switch self {
        case .addColumn(let column, let position):
            return "ADD COLUMN " + column.sql + position.sql
        case .dropColumn(let name):
            return "DROP COLUMN " + SQLText.identifier(name)
        case .modifyColumn(let column, let position):
            return "MODIFY COLUMN " + column.sql + position.sql
        case .changeColumn(let old, let column, let position):
            return "CHANGE COLUMN " + SQLText.identifier(old) + " " + column.sql + position.sql
        case .renameColumn(let old, let new):
            return "RENAME COLUMN " + SQLText.identifier(old) + " TO " + SQLText.identifier(new)
        case .setDefault(let column, let value):
            return "ALTER COLUMN " + SQLText.identifier(column) + " SET DEFAULT " + value.sql
        case .dropDefault(let column):
            return "ALTER COLUMN " + SQLText.identifier(column) + " DROP DEFAULT"
        case .addIndex(let index):
            return "ADD " + index.sql
        case .dropIndex(let name):
            return "DROP INDEX " + SQLText.identifier(name)
        case .dropPrimaryKey:
            return "DROP PRIMARY KEY"
        case .renameIndex(let old, let new):
            return "RENAME INDEX " + SQLText.identifier(old) + " TO " + SQLText.identifier(new)
        case .defaultCharset(let charset, let collation):
            var parts: [String] = []
            if let charset { parts.append("DEFAULT CHARACTER SET = \(SQLText.charsetName(charset))") }
            if let collation { parts.append("COLLATE = \(SQLText.charsetName(collation))") }
            return parts.joined(separator: " ")
        case .convertTo(let charset, let collation):
            return "CONVERT TO CHARACTER SET \(SQLText.charsetName(charset))"
                + (collation.map { " COLLATE \(SQLText.charsetName($0))" } ?? "")
        case .tableOptions(let options):
            return options.sql
        case .partition(let clause):
            return clause.rendered()
        }
    }
}

extension ColumnPosition {
    var sql: String {
        switch self {
        case .unspecified: return ""
        case .first: return " FIRST"
        case .after(let column): return " AFTER " + SQLText.identifier(column)
        }
    }
}
