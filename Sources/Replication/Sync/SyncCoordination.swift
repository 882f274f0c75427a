public import Domain
public import Schema

/// How the engine reaches the master for shard DDLs. The worker adapts its master client to it, which
/// keeps this module free of the control plane's types.
public protocol ShardDDLCoordinator: Sendable {
    /// Reports the upstream tables of this source and their downstream targets (optimistic mode).
    func reportSourceTables(_ tables: [(upstream: TableName, target: TableName, info: TableInfo)]) async throws(ReplicationError)

    /// Reports the DDL, waits for the master's operation, runs `apply` with it, reports done. A table
    /// told to skip and wait for a redirect gets that verdict at once, with nothing applied.
    func coordinate(
        _ request: ShardDDLRequest, apply: @Sendable (ShardDDLVerdict) async throws(ReplicationError) -> Void
    ) async throws(ReplicationError) -> ShardDDLVerdict

    /// For a table that skips: once the master redirected it (or an operator unlocked it), the
    /// operation id its replayed report must be answered after; `nil` while it still waits.
    func redirect(of upstream: TableName, after operationID: Int64?) async -> Int64?
}

extension ShardDDLCoordinator {
    public func redirect(of upstream: TableName, after operationID: Int64?) async -> Int64? { nil }
}

public enum ShardDDLRequest: Sendable {
    /// A resolved intra-source sharding group: `ddls` on the downstream table.
    case pessimistic(target: TableName, ddls: [String])
    /// One upstream table's DDLs with its schema before and after each; `replayAfter` is the redirect
    /// when a skipped table re-reports its DDL.
    case optimistic(
        upstream: TableName, target: TableName, ddls: [String], before: TableInfo, after: [TableInfo], strict: Bool,
        replayAfter: Int64?)
}

/// The master's operation.
public struct ShardDDLVerdict: Sendable, Hashable {
    public var lockID: String
    /// Execute `ddls` downstream (else skip them).
    public var exec: Bool
    public var ddls: [String]
    /// The optimistic conflict stage, if any (`skip and wait for redirect` when the table conflicts).
    public var conflictStage: String?
    /// The optimistic operation's id (a skipping table waits for a redirect issued after it).
    public var operationID: Int64?

    public init(lockID: String, exec: Bool, ddls: [String], conflictStage: String? = nil, operationID: Int64? = nil) {
        self.lockID = lockID
        self.exec = exec
        self.ddls = ddls
        self.conflictStage = conflictStage
        self.operationID = operationID
    }

    /// DM's `skip and wait for redirect`.
    public var skipsUntilRedirect: Bool { self.conflictStage == "skip and wait for redirect" }
}

/// Where the engine reports progress (the worker forwards it to the master).
public protocol SyncProgressReporter: Sendable {
    func checkpoint(binlogName: String, binlogPos: UInt32, gtid: String?) async
    func progress(_ progress: SyncProgress) async
}

public struct SyncProgress: Sendable, Hashable {
    /// `Sync`, or `Load` during a full copy.
    public var unit: String
    public var processedRows: Int64
    /// A lock the subtask is waiting on, for `query-status`.
    public var blockingLock: String?
    /// During a full copy: the estimated rows to copy, and the current rate.
    public var totalRows: Int64?
    public var rowsPerSecond: Double?

    public init(
        unit: String, processedRows: Int64, blockingLock: String? = nil, totalRows: Int64? = nil,
        rowsPerSecond: Double? = nil
    ) {
        self.unit = unit
        self.processedRows = processedRows
        self.blockingLock = blockingLock
        self.totalRows = totalRows
        self.rowsPerSecond = rowsPerSecond
    }

    /// Percent done and seconds left, when the total and rate are known.
    public var percent: Double? {
        guard let totalRows, totalRows > 0 else { return nil }
        return min(100, Double(self.processedRows) * 100 / Double(totalRows))
    }

    public var etaSeconds: Double? {
        guard let totalRows, let rowsPerSecond, rowsPerSecond > 0 else { return nil }
        return max(0, Double(totalRows - self.processedRows) / rowsPerSecond)
    }
}
