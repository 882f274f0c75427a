/// The schema tracker's core: a table's structure after a DDL statement.
extension TableInfo {
    /// The table a `CREATE TABLE` describes. Unnamed indexes get MySQL's generated names (first
    /// key column, then `_2`, `_3`... on a clash) and primary-key columns become NOT NULL.
    ///
    /// - Parameter defaultSchema: the schema to use when the statement names none.
    public init(_ create: CreateTable, defaultSchema: String = "") {
        self.init(
            schema: create.table.schema ?? defaultSchema, table: create.table.name, columns: create.columns, indexes: [],
            charset: create.charset, collation: create.collation, options: create.options)
        for index in create.indexes {
            // A CREATE TABLE the server accepted cannot fail here except on duplicate names, where
            // MySQL would have refused the statement; keeping the first definition is harmless.
            try? self.apply(.addIndex(index))
        }
    }

    /// The table after `statement`.
    ///
    /// `CREATE TABLE` replaces the table, `ALTER TABLE` applies its clauses in order, `TRUNCATE`
    /// changes nothing and `RENAME TABLE` renames it if it is one of the sources.
    ///
    /// - Throws: ``SchemaError`` when MySQL would reject the statement on this table, or when the
    ///   statement does not transform a table (`.notApplicable`).
    public func applying(_ statement: DDLStatement) throws(SchemaError) -> TableInfo {
        switch statement {
        case .createTable(let create):
            return TableInfo(create, defaultSchema: self.schema)
        case .alterTable(let alter):
            var table = self
            for spec in alter.specs { try table.apply(spec) }
            return table
        case .truncateTable:
            return self
        case .renameTable(let renames):
            var table = self
            var renamed = false
            for rename in renames where table.matches(rename.from) {
                table.schema = rename.to.schema ?? table.schema
                table.table = rename.to.name
                renamed = true
            }
            guard renamed else {
                throw SchemaError(.notApplicable, name: self.table, "RENAME TABLE does not rename `\(self.table)`")
            }
            return table
        case .dropTable, .createDatabase, .dropDatabase:
            throw SchemaError(.notApplicable, name: self.table, "statement does not transform a table")
        }
    }

    private func matches(_ name: QualifiedName) -> Bool {
        name.name == self.table && (name.schema == nil || name.schema == self.schema)
    }

    // MARK: - Clauses

    mutating func apply(_ spec: AlterSpec) throws(SchemaError) {
        switch spec {
        case .addColumn(let column, let position):
            guard self.columnIndex(named: column.name) == nil else { throw self.duplicateColumn(column.name) }
            self.columns.insert(column, at: try self.insertionPoint(position, default: self.columns.count))
        case .dropColumn(let name):
            let i = try self.existingColumn(name)
            guard self.columns.count > 1 else {
                throw SchemaError(.droppingLastColumn, name: name, "cannot drop the only column; use DROP TABLE")
            }
            self.columns.remove(at: i)
            self.removeFromIndexes(name)
        case .modifyColumn(let column, let position):
            let i = try self.existingColumn(column.name)
            try self.replaceColumn(at: i, with: column, position)
        case .changeColumn(let old, let column, let position):
            let i = try self.existingColumn(old)
            if let j = self.columnIndex(named: column.name), j != i { throw self.duplicateColumn(column.name) }
            try self.replaceColumn(at: i, with: column, position)
            self.renameInIndexes(old, to: column.name)
        case .renameColumn(let old, let new):
            let i = try self.existingColumn(old)
            if let j = self.columnIndex(named: new), j != i { throw self.duplicateColumn(new) }
            self.columns[i].name = new
            self.renameInIndexes(old, to: new)
        case .setDefault(let column, let value):
            self.columns[try self.existingColumn(column)].defaultValue = value
        case .dropDefault(let column):
            self.columns[try self.existingColumn(column)].defaultValue = nil
        case .addIndex(let index):
            try self.addIndex(index)
        case .dropIndex(let name):
            guard let i = self.indexes.firstIndex(where: { $0.hasName(name) }) else { throw self.unknownIndex(name) }
            self.indexes.remove(at: i)
        case .dropPrimaryKey:
            guard let i = self.indexes.firstIndex(where: { $0.kind == .primary }) else {
                throw SchemaError(.missingPrimaryKey, name: self.table, "table has no primary key")
            }
            self.indexes.remove(at: i)
        case .renameIndex(let old, let new):
            guard let i = self.indexes.firstIndex(where: { $0.hasName(old) }) else { throw self.unknownIndex(old) }
            if let j = self.indexes.firstIndex(where: { $0.hasName(new) }), j != i {
                throw SchemaError(.duplicateIndex, name: new, "index `\(new)` already exists")
            }
            self.indexes[i].name = new
        case .defaultCharset(let charset, let collation):
            if let charset {
                self.charset = charset
                self.collation = collation  // nil: the new charset's default collation
            } else if let collation {
                self.collation = collation
            }
        case .convertTo(let charset, let collation):
            self.charset = charset
            self.collation = collation
            for i in self.columns.indices where self.columns[i].type.isCharacterType {
                self.columns[i].charset = charset
                self.columns[i].collation = collation
            }
        case .partition:
            break  // partitioning changes no column, index or option (see PartitionClause)
        case .tableOptions(let options):
            self.options.engine = options.engine ?? self.options.engine
            self.options.autoIncrement = options.autoIncrement ?? self.options.autoIncrement
            self.options.comment = options.comment ?? self.options.comment
            for option in options.other {
                if let i = self.options.other.firstIndex(where: { $0.name == option.name }) {
                    self.options.other[i] = option
                } else {
                    self.options.other.append(option)
                }
            }
        }
    }

    private mutating func addIndex(_ index: IndexInfo) throws(SchemaError) {
        var index = index
        for part in index.columns where self.columnIndex(named: part.name) == nil {
            throw SchemaError(.unknownColumn, name: part.name, "key column `\(part.name)` doesn't exist in table")
        }
        if index.kind == .primary {
            guard self.primaryKey == nil else {
                throw SchemaError(.multiplePrimaryKeys, name: self.table, "multiple primary key defined")
            }
            index.name = IndexInfo.primaryName
            for part in index.columns {
                if let i = self.columnIndex(named: part.name) { self.columns[i].nullable = false }
            }
        } else if index.name.isEmpty {
            index.name = self.generatedIndexName(for: index)
        } else if self.index(named: index.name) != nil || index.hasName(IndexInfo.primaryName) {
            throw SchemaError(.duplicateIndex, name: index.name, "duplicate key name `\(index.name)`")
        }
        self.indexes.append(index)
    }

    /// MySQL names an unnamed index after its first column, adding `_2`, `_3`... until it is unique.
    private func generatedIndexName(for index: IndexInfo) -> String {
        let base = index.columns.first?.name ?? "index"
        if self.index(named: base) == nil && base.uppercased() != IndexInfo.primaryName { return base }
        var n = 2
        while self.index(named: "\(base)_\(n)") != nil { n += 1 }
        return "\(base)_\(n)"
    }

    private mutating func replaceColumn(at i: Int, with column: ColumnInfo, _ position: ColumnPosition)
        throws(SchemaError)
    {
        switch position {
        case .unspecified:
            self.columns[i] = column
        case .first, .after:
            self.columns.remove(at: i)
            do {
                self.columns.insert(column, at: try self.insertionPoint(position, default: i))
            } catch {
                self.columns.insert(column, at: i)
                throw error
            }
        }
    }

    private func insertionPoint(_ position: ColumnPosition, default fallback: Int) throws(SchemaError) -> Int {
        switch position {
        case .unspecified: return fallback
        case .first: return 0
        case .after(let name): return try self.existingColumn(name) + 1
        }
    }

    private mutating func removeFromIndexes(_ column: String) {
        for i in self.indexes.indices {
            self.indexes[i].columns.removeAll { $0.name.lowercased() == column.lowercased() }
        }
        self.indexes.removeAll { $0.columns.isEmpty }
    }

    private mutating func renameInIndexes(_ old: String, to new: String) {
        for i in self.indexes.indices {
            for j in self.indexes[i].columns.indices where self.indexes[i].columns[j].name.lowercased() == old.lowercased() {
                self.indexes[i].columns[j].name = new
            }
        }
    }

    private func existingColumn(_ name: String) throws(SchemaError) -> Int {
        guard let i = self.columnIndex(named: name) else {
            throw SchemaError(.unknownColumn, name: name, "unknown column `\(name)` in `\(self.table)`")
        }
        return i
    }

    private func duplicateColumn(_ name: String) -> SchemaError {
        SchemaError(.duplicateColumn, name: name, "duplicate column name `\(name)`")
    }

    private func unknownIndex(_ name: String) -> SchemaError {
        SchemaError(.unknownIndex, name: name, "can't drop or rename `\(name)`; check that it exists")
    }
}

extension TableInfo {
    /// The `CREATE TABLE` that builds this table (render it with `DDLStatement.rendered`).
    public var createTable: CreateTable {
        CreateTable(
            table: QualifiedName(schema: self.schema, self.table), columns: self.columns, indexes: self.indexes,
            charset: self.charset, collation: self.collation, options: self.options)
    }
}
