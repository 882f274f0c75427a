public import Domain

/// Pessimistic shard DDL inside one source (dm-reference §2.1, level 1): the upstream tables of this
/// source that merge into one downstream table must all reach the same DDL before it is coordinated
/// with the other sources. A table that has reached it is *held*: its later events wait until the
/// group resolves, then are re-read from the binlog (the checkpoint points make that re-read skip
/// everything already applied).
///
/// Pure state: no I/O, no clock.
public struct ShardingGroups: Sendable, Hashable {
    public struct Pending: Sendable, Hashable {
        /// The DDLs as they will run downstream (routed, canonical text); every member must match.
        public var ddls: [String]
        /// Where the first member's DDL event starts: the global checkpoint never passes it while pending.
        public var firstStart: BinlogPosition
        /// Each member that has reached the DDL, with the end position of its DDL event.
        public var reached: [TableName: BinlogPosition]
    }

    public enum Outcome: Sendable, Hashable {
        /// Other members have yet to reach the DDL.
        case waiting(remaining: [TableName])
        /// Every member reached it: coordinate `ddls` with the master, then re-read held events.
        case resolved(Pending)
    }

    public private(set) var members: [TableName: Set<TableName>] = [:]
    public private(set) var pending: [TableName: Pending] = [:]

    public init() {}

    public mutating func join(_ table: TableName, target: TableName) {
        self.members[target, default: []].insert(table)
    }

    /// A member dropped or renamed away. If the others all wait already, the group resolves now.
    public mutating func leave(_ table: TableName, target: TableName) -> Outcome? {
        self.members[target]?.remove(table)
        guard var group = self.pending[target] else { return nil }
        group.reached[table] = nil
        guard !group.reached.isEmpty else {
            self.pending[target] = nil
            return nil
        }
        self.pending[target] = group
        return self.outcome(target)
    }

    /// `table` reached a DDL. Idempotent: reaching again with the same DDLs (a re-read) changes nothing.
    public mutating func reach(
        _ table: TableName, target: TableName, ddls: [String], start: BinlogPosition, end: BinlogPosition
    ) throws(ReplicationError) -> Outcome {
        self.members[target, default: []].insert(table)
        if var group = self.pending[target] {
            guard group.ddls == ddls else {
                throw ReplicationError(
                    .shardDDLMismatch,
                    "detect inconsistent DDL sequence: \(table) has \(ddls) but the sharding group of \(target) waits on \(group.ddls)",
                    statement: ddls.joined(separator: "; "), position: start)
            }
            if group.reached[table] == nil { group.reached[table] = end }
            self.pending[target] = group
        } else {
            self.pending[target] = Pending(ddls: ddls, firstStart: start, reached: [table: end])
        }
        return self.outcome(target)
    }

    private func outcome(_ target: TableName) -> Outcome {
        guard let group = self.pending[target] else { return .waiting(remaining: []) }
        let remaining = (self.members[target] ?? []).subtracting(group.reached.keys).sorted()
        return remaining.isEmpty ? .resolved(group) : .waiting(remaining: remaining)
    }

    /// The group's DDL has been executed (or skipped) downstream.
    public mutating func finish(_ target: TableName) {
        self.pending[target] = nil
    }

    /// Whether `table`'s events wait for its group to resolve.
    public func isHeld(_ table: TableName) -> Bool {
        self.pending.values.contains { $0.reached[table] != nil }
    }

    public var heldTables: Set<TableName> {
        Set(self.pending.values.flatMap(\.reached.keys))
    }

    /// The earliest DDL start of any unresolved group: the global checkpoint is clamped to it.
    public var earliestPendingStart: BinlogPosition? {
        self.pending.values.map(\.firstStart).min()
    }
}
