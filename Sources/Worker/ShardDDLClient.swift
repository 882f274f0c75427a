public import Schema

/// A DDL a subtask needs coordinated across shards.
public enum ShardDDLInfo: Sendable, Hashable {
    /// Pessimistic: the DDLs of a resolved intra-source sharding group, on the downstream table.
    case pessimistic(schema: String, table: String, ddls: [String])
    case optimistic(OptimisticDDLInfo)
}

/// The optimistic report: one upstream table's DDLs with its schema before and after them.
public struct OptimisticDDLInfo: Sendable, Hashable {
    public var upSchema: String
    public var upTable: String
    public var downSchema: String
    public var downTable: String
    public var ddls: [String]
    public var before: TableInfo
    public var after: [TableInfo]
    public var strict: Bool
    /// A replay after a redirect: only an operation issued after this one (the redirect) answers it.
    public var replayAfter: Int64?

    public init(
        upSchema: String, upTable: String, downSchema: String, downTable: String, ddls: [String],
        before: TableInfo, after: [TableInfo], strict: Bool = false, replayAfter: Int64? = nil
    ) {
        self.upSchema = upSchema
        self.upTable = upTable
        self.downSchema = downSchema
        self.downTable = downTable
        self.ddls = ddls
        self.before = before
        self.after = after
        self.strict = strict
        self.replayAfter = replayAfter
    }
}

/// What the master decided for a reported DDL.
public struct ShardDDLDecision: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable { case pessimistic, optimistic }
    public var mode: Mode
    public var lockID: String
    /// Execute `ddls` downstream (pessimistic owner, optimistic with DDLs to run) or skip them.
    public var exec: Bool
    public var ddls: [String]
    /// The optimistic conflict stage, when the master sent one.
    public var stage: String?
    /// The optimistic operation's id: a table told to skip waits for a redirect issued after it.
    public var operationID: Int64?

    /// DM's `skip and wait for redirect`: the table skips its events until ``ShardDDLClient/redirect(upSchema:upTable:after:)``.
    public var skipsUntilRedirect: Bool { self.stage == Self.skipAndWaitForRedirect }
    public static let skipAndWaitForRedirect = "skip and wait for redirect"
}

/// A shard-DDL coordination failure: the master rejected the Info, was unreachable, or applying failed.
public struct ShardDDLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public static let rejectedCode = "rejected"
    public static let applyFailedCode = "apply_failed"
    public static let cancelledCode = "cancelled"
    /// An optimistic conflict the master cannot coordinate (`error`, or a stuck stage in strict mode).
    public static let conflictCode = "conflict"
    public var description: String { "\(self.code): \(self.message)" }
}

/// The worker side of shard-DDL coordination (dm-reference §2.1 steps 8–13, §1.5 optimist client).
///
/// `coordinate` is the whole round trip: report the Info, wait for the master's Operation
/// (delivered by the watch), run `apply` to execute or skip, then report done. It is one call so
/// the data plane cannot forget the done report, which is what releases the other shards.
public protocol ShardDDLClient: Sendable {
    /// Reports the upstream tables of this source that merge into downstream tables (optimistic).
    func reportSourceTables(_ tables: [SourceTableSchema]) async throws(ShardDDLError)
    /// - Returns: the decision that `apply` carried out.
    ///
    /// An optimistic table told to skip and wait for a redirect gets that decision back at once,
    /// without `apply` or a done report, so the subtask can go on with its other tables.
    func coordinate(
        _ info: ShardDDLInfo,
        apply: @Sendable (ShardDDLDecision) async throws -> Void
    ) async throws(ShardDDLError) -> ShardDDLDecision

    /// For a table that skips: once the master redirected it (or an operator unlocked it), the
    /// operation id its replayed report must be answered after; `nil` while it still waits (non-blocking).
    func redirect(upSchema: String, upTable: String, after operationID: Int64?) async -> Int64?
}

extension ShardDDLClient {
    public func redirect(upSchema: String, upTable: String, after operationID: Int64?) async -> Int64? { nil }
}

/// One upstream table with its downstream target and current schema.
public struct SourceTableSchema: Sendable, Hashable {
    public var upSchema: String
    public var upTable: String
    public var downSchema: String
    public var downTable: String
    public var tableInfo: TableInfo

    public init(upSchema: String, upTable: String, downSchema: String, downTable: String, tableInfo: TableInfo) {
        self.upSchema = upSchema
        self.upTable = upTable
        self.downSchema = downSchema
        self.downTable = downTable
        self.tableInfo = tableInfo
    }
}

/// The JSON form scripts and reports use (snake_case like the API).
extension SourceTableSchema: Codable {
    enum CodingKeys: String, CodingKey {
        case upSchema = "up_schema", upTable = "up_table", downSchema = "down_schema", downTable = "down_table"
        case tableInfo = "table_info"
    }
}
