/// Questions the worker's router and the coordinators ask of a statement before acting on it.
extension DDLStatement {
    /// Every table the statement names, in order (both sides of a rename); empty for database
    /// statements. A statement naming more than one table is "multi-table DDL", which shard
    /// coordination refuses.
    public var tables: [QualifiedName] {
        switch self {
        case .createTable(let create): return [create.table]
        case .alterTable(let alter): return [alter.table] + alter.exchangeTables
        case .dropTable(let drop): return drop.tables
        case .truncateTable(let table): return [table]
        case .renameTable(let renames): return renames.flatMap { [$0.from, $0.to] }
        case .createDatabase, .dropDatabase: return []
        }
    }

    /// The statement with unqualified table names given `schema` (the binlog event's current database).
    public func qualified(defaultSchema schema: String) -> DDLStatement {
        func fill(_ name: QualifiedName) -> QualifiedName {
            QualifiedName(schema: name.schema ?? schema, name.name)
        }
        switch self {
        case .createTable(var create):
            create.table = fill(create.table)
            return .createTable(create)
        case .alterTable(var alter):
            alter.table = fill(alter.table)
            alter.specs = alter.specs.map { spec in
                guard case .partition(var clause) = spec, let other = clause.exchangeTable else { return spec }
                clause.exchangeTable = fill(other)
                return .partition(clause)
            }
            return .alterTable(alter)
        case .dropTable(var drop):
            drop.tables = drop.tables.map(fill)
            return .dropTable(drop)
        case .truncateTable(let table):
            return .truncateTable(fill(table))
        case .renameTable(let renames):
            return .renameTable(renames.map { TableRename(from: fill($0.from), to: fill($0.to)) })
        case .createDatabase, .dropDatabase:
            return self
        }
    }
}

extension AlterTable {
    /// The partition clause, if the statement has one.
    public var partition: PartitionClause? {
        for case .partition(let clause) in self.specs { return clause }
        return nil
    }

    /// `EXCHANGE PARTITION p WITH TABLE t`: `t`.
    var exchangeTables: [QualifiedName] { self.partition?.exchangeTable.map { [$0] } ?? [] }

    /// Whether every clause is a partition operation that leaves the table's rows and definition
    /// as they are on the other shards, or empties one shard's partition: `TRUNCATE PARTITION` and
    /// `ANALYZE/CHECK/OPTIMIZE/REBUILD/REPAIR PARTITION`.
    public var isPartitionMaintenance: Bool {
        guard self.specs.count == 1, let kind = self.partition?.kind else { return false }
        return kind == .truncate || kind == .maintenance
    }
}

extension DefaultValue {
    /// Whether the default is evaluated per row by the server (`CURRENT_TIMESTAMP`, `(RAND())`,
    /// `(UUID())`): adding such a column on each shard fills existing rows with different values,
    /// the data divergence DM documents (DM_038).
    public var isNondeterministic: Bool {
        switch self {
        case .null, .string, .number: return false
        case .expression(let text):
            let upper = text.uppercased()
            return ["CURRENT_TIMESTAMP", "NOW(", "SYSDATE", "RAND(", "UUID", "CURDATE", "CURTIME", "CURRENT_DATE",
                "CURRENT_TIME", "LOCALTIME", "UNIX_TIMESTAMP", "UTC_", "CONNECTION_ID"].contains { upper.contains($0) }
        }
    }
}
