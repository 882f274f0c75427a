public import Domain
public import Schema

/// Optimistic shard-DDL coordination (DM's `shardddl/optimism`, dm-reference §2.2), as a pure decider.
///
/// Each downstream table of a task has at most one lock while its shards' schemas disagree. The
/// lock keeps every routed upstream table's schema and their join, the schema the downstream must
/// have. A DDL that makes the join bigger (add column, widen a type) goes downstream at once; one
/// that makes it smaller (drop column, add index) only when the last table does it. A DDL whose
/// schema is incomparable (rename column, change type) is a conflict: the table waits ("skip and
/// wait for redirect") until every table did the same, or fails when it cannot ever agree.
///
/// Differences from DM, on purpose:
/// - Table schemas come from the worker's `sourceTables` report, never from the downstream (P19).
/// - A table that never received an operation counts as done, so a table that needs no DDL does
///   not keep the lock alive forever (P13, DM_127).
/// - `unlock` works in every stuck stage, `detected`, `skip and wait for redirect` and `error`,
///   and `forceRemove` releases every stuck table (P7, P8).
/// - Strict mode turns a conflict into an `error` operation at once (P9, P10).
/// - Removing a table recomputes the joined schema and redirects conflicts that now agree (P18).
public enum Optimism: Decider {
    /// What workers and operators ask of the optimistic coordinator.
    public enum Command: Sendable, Hashable {
        /// A worker's routed upstream tables (downstream table → upstream table → current schema),
        /// sent when its subtask enters sync and whenever a table is created or dropped.
        case sourceTables(task: TaskName, source: SourceID, tables: [TableName: [TableName: TableInfo]])
        /// A worker's DDLs on one upstream table; `strict` is the task's `strict-optimistic-shard-mode`.
        case reportInfo(OptimismInfo, strict: Bool)
        /// A worker executed the operation with this id.
        case operationDone(lock: LockID, table: SourceTable, operation: UInt64)
        /// `shard-ddl-lock unlock <lock> -s <source> -d <schema> -t <table> --action skip|exec`.
        case unlock(lock: LockID, table: SourceTable, action: UnlockAction)
        /// `shard-ddl-lock unlock <lock> --force-remove`.
        case forceRemove(lock: LockID)
        /// `stop-task`: drop the task's optimistic metadata.
        case taskRemoved(task: TaskName)
        /// `stop-task -s <source>` or the source was removed from the task.
        case sourceLeftTask(task: TaskName, source: SourceID)
    }

    /// A command the coordinator refuses; nothing was appended.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// No lock with that id.
            case lockNotFound
            /// The lock has no such upstream table.
            case tableNotInLock
            /// The table is not stuck, so there is nothing to unlock.
            case tableNotStuck
        }

        public var code: Code
        public var message: String

        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { "\(self.code.rawValue): \(self.message)" }
    }

    public typealias Failure = Error
}
