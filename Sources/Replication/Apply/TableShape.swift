public import Schema

/// What the applier needs to know about one upstream table's rows: which columns it writes, which it
/// matches on, and in which charset its text travels. Built from the tracked `TableInfo`, once per
/// schema version, so the hot path never looks at `TableInfo` again.
public struct TableShape: Sendable {
    /// Column names in binlog row order (the upstream table's declaration order).
    public let columnNames: [String]
    /// Columns written by INSERT/REPLACE/UPDATE: every column but generated ones.
    public let writable: [Int]
    /// Columns a WHERE clause matches on: the primary key, else the best unique key, else every writable column.
    public let key: [Int]
    /// Whether `key` identifies one row (a PK or a NOT NULL unique key).
    public let keyIsUnique: Bool
    /// Every unique key (PK first), for causality: two changes that share any unique key value must stay ordered.
    public let uniqueKeys: [[Int]]
    /// Per column: the charset of a text column, `nil` for binary and non-text columns.
    public let charsets: [String?]
    /// Per column: whether the column is unsigned (the row decoder needs it when the binlog lacks metadata).
    public let unsigned: [Bool]

    public init(_ info: TableInfo) {
        let columns = info.columns
        self.columnNames = columns.map(\.name)
        self.writable = columns.indices.filter { columns[$0].generated == nil }
        self.charsets = columns.map { column in
            column.type.isCharacterType ? (column.charset ?? info.charset) : nil
        }
        self.unsigned = columns.map(\.type.unsigned)
        func positions(_ index: IndexInfo) -> [Int]? {
            let found = index.columns.map { info.columnIndex(named: $0.name) }
            guard found.allSatisfy({ $0 != nil }), !found.isEmpty else { return nil }
            return found.compactMap { $0 }
        }
        let primary = info.primaryKey.flatMap(positions)
        let uniques = info.indexes.filter { $0.kind.isUnique && $0.kind != .primary }.compactMap(positions)
        self.uniqueKeys = (primary.map { [$0] } ?? []) + uniques
        if let primary {
            self.key = primary
            self.keyIsUnique = true
        } else if let notNull = uniques.first(where: { $0.allSatisfy { !columns[$0].nullable } }) {
            self.key = notNull
            self.keyIsUnique = true
        } else {
            self.key = self.writable
            self.keyIsUnique = false
        }
    }
}
