public import Domain

/// Which upstream changes are already downstream: for every upstream table and writer slot, the end
/// position of the last upstream transaction whose share that writer committed.
///
/// A writer commits its rows and its points in one downstream transaction, so after any crash a change
/// at position `p` of table `t` placed on writer `w` is downstream exactly when `p <= point[t][w]`.
/// That one rule gives exactly-once apply on restart, and it is also how held shard-DDL events are
/// re-read: rewinding the stream replays them while everything already applied is skipped.
public struct CheckpointPoints: Sendable, Hashable {
    public let writerCount: Int
    public private(set) var points: [TableName: [BinlogPosition?]] = [:]

    public init(writerCount: Int) {
        self.writerCount = max(1, writerCount)
    }

    public func isApplied(_ table: TableName, writer: Int, at position: BinlogPosition) -> Bool {
        guard let point = self.points[table]?[writer] else { return false }
        return position <= point
    }

    /// Whether a DDL of `table` ending at `end` was applied: every slot of the table reached it
    /// (a DDL barrier sets them all at once).
    public func isDDLApplied(_ table: TableName, end: BinlogPosition) -> Bool {
        guard let slots = self.points[table] else { return false }
        return slots.allSatisfy { $0.map { end <= $0 } ?? false }
    }

    public mutating func advance(_ table: TableName, writer: Int, to position: BinlogPosition) {
        // In place (one hash lookup, no copy of the slots per row).
        let next = max(self.points[table]?[writer] ?? position, position)
        self.points[table, default: Array(repeating: nil, count: self.writerCount)][writer] = next
    }

    /// Every slot of `table` at `position`: after a DDL, or at a barrier where every writer has drained.
    public mutating func setAll(_ table: TableName, to position: BinlogPosition) {
        self.points[table] = Array(repeating: position, count: self.writerCount)
    }

    public mutating func remove(_ table: TableName) { self.points[table] = nil }

    /// The earliest point of all: where a restart must resume reading so that nothing is missed.
    public var earliest: BinlogPosition? {
        self.points.values.flatMap { $0 }.compactMap { $0 }.min()
    }
}
