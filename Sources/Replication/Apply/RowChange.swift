public import Domain
public import MySQLClient

/// One row change bound for the downstream: the routed target table, the upstream table's shape, and the
/// row images in upstream column order.
public struct RowChange: Sendable {
    public enum Kind: Sendable, Hashable {
        case insert
        case update
        case delete
    }

    public var kind: Kind
    public var target: TableName
    public var shape: TableShape
    /// The row before the change (update, delete).
    public var before: [MySQLValue]?
    /// The row after the change (insert, update).
    public var after: [MySQLValue]?

    public static func insert(_ row: [MySQLValue], into target: TableName, shape: TableShape) -> RowChange {
        RowChange(kind: .insert, target: target, shape: shape, before: nil, after: row)
    }

    public static func update(
        _ before: [MySQLValue], _ after: [MySQLValue], in target: TableName, shape: TableShape
    ) -> RowChange {
        RowChange(kind: .update, target: target, shape: shape, before: before, after: after)
    }

    public static func delete(_ row: [MySQLValue], from target: TableName, shape: TableShape) -> RowChange {
        RowChange(kind: .delete, target: target, shape: shape, before: row, after: nil)
    }

    /// The row that identifies the change's key: the old row for update and delete.
    public var keyRow: [MySQLValue] { self.before ?? self.after ?? [] }

    /// Whether an update moves the row to another key (safe mode then needs DELETE + REPLACE).
    public var changesKey: Bool {
        guard self.kind == .update, let before, let after else { return false }
        return self.shape.key.contains { before[$0] != after[$0] }
    }
}
