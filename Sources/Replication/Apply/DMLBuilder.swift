import Domain
import MySQLClient

/// Turns row changes into downstream SQL: multi-row INSERT/REPLACE for consecutive inserts into the
/// same table, UPDATE and DELETE matched on the key, and safe mode's REPLACE (plus DELETE only when an
/// update moved the key, dm-reference §2.4).
///
/// The output depends only on the changes and the mode, which is what lets a replayed batch produce
/// the same statements.
public struct DMLBuilder: Sendable {
    public var safeMode: Bool
    /// The most rows one multi-row statement carries.
    public var maxRowsPerStatement: Int

    public init(safeMode: Bool, maxRowsPerStatement: Int = 256) {
        self.safeMode = safeMode
        self.maxRowsPerStatement = max(1, maxRowsPerStatement)
    }

    /// The statements for `changes`, in an order that preserves their effect.
    ///
    /// Changes are grouped by target table first (stable: each table's changes keep their order, and
    /// tables come in the order they first appear). Changes to different tables commute — the
    /// downstream session runs with `foreign_key_checks=0` and Braid creates no triggers — and
    /// grouping is what lets a round of single-row upstream transactions spread over several tables
    /// (sysbench's shape) become a few multi-row INSERTs instead of one statement per row or two.
    public func statements(for changes: [RowChange]) throws(MySQLError) -> [String] {
        var order: [TableName] = []
        var byTarget: [TableName: [RowChange]] = [:]
        for change in changes {
            if byTarget[change.target] == nil {
                order.append(change.target)
                byTarget[change.target] = []
            }
            byTarget[change.target]!.append(change)
        }
        if order.count <= 1 { return try self.ordered(changes) }
        var out: [String] = []
        for target in order { out += try self.ordered(byTarget[target]!) }
        return out
    }

    /// The statements for `changes` in their exact order, coalescing runs of inserts.
    func ordered(_ changes: [RowChange]) throws(MySQLError) -> [String] {
        var out: [String] = []
        var index = changes.startIndex
        while index < changes.endIndex {
            let change = changes[index]
            switch change.kind {
            case .insert:
                var end = index + 1
                while end < changes.endIndex, end - index < self.maxRowsPerStatement,
                    changes[end].kind == .insert, changes[end].target == change.target,
                    changes[end].shape.columnNames == change.shape.columnNames
                {
                    end += 1
                }
                out.append(try self.insert(changes[index..<end].map { $0.after ?? [] }, into: change.target, change.shape))
                index = end
            case .update:
                if self.safeMode {
                    if change.changesKey { out.append(try self.delete(change.before ?? [], from: change.target, change.shape)) }
                    out.append(try self.insert([change.after ?? []], into: change.target, change.shape))
                } else {
                    out.append(try self.update(change))
                }
                index += 1
            case .delete:
                out.append(try self.delete(change.before ?? [], from: change.target, change.shape))
                index += 1
            }
        }
        return out
    }

    func insert(_ rows: [[MySQLValue]], into target: TableName, _ shape: TableShape) throws(MySQLError) -> String {
        var sql = self.safeMode ? "REPLACE INTO " : "INSERT INTO "
        sql += target.quoted + " ("
        sql += shape.writable.map { quoteIdentifier(shape.columnNames[$0]) }.joined(separator: ",")
        sql += ") VALUES "
        for (n, row) in rows.enumerated() {
            if n > 0 { sql += "," }
            sql += "("
            for (i, column) in shape.writable.enumerated() {
                if i > 0 { sql += "," }
                try SQLLiteral.append(row[column], charset: shape.charsets[column], to: &sql)
            }
            sql += ")"
        }
        return sql
    }

    func update(_ change: RowChange) throws(MySQLError) -> String {
        let shape = change.shape
        let after = change.after ?? []
        var sql = "UPDATE " + change.target.quoted + " SET "
        for (i, column) in shape.writable.enumerated() {
            if i > 0 { sql += "," }
            sql += quoteIdentifier(shape.columnNames[column]) + "="
            try SQLLiteral.append(after[column], charset: shape.charsets[column], to: &sql)
        }
        sql += try self.whereClause(change.before ?? [], shape)
        return sql
    }

    func delete(_ row: [MySQLValue], from target: TableName, _ shape: TableShape) throws(MySQLError) -> String {
        "DELETE FROM " + target.quoted + (try self.whereClause(row, shape))
    }

    private func whereClause(_ row: [MySQLValue], _ shape: TableShape) throws(MySQLError) -> String {
        var sql = " WHERE "
        for (i, column) in shape.key.enumerated() {
            if i > 0 { sql += " AND " }
            sql += quoteIdentifier(shape.columnNames[column])
            if row[column] == .null {
                sql += " IS NULL"
            } else {
                sql += "="
                try SQLLiteral.append(row[column], charset: shape.charsets[column], to: &sql)
            }
        }
        sql += " LIMIT 1"
        return sql
    }
}
