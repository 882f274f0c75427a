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

    public init(
        upSchema: String, upTable: String, downSchema: String, downTable: String, ddls: [String],
        before: TableInfo, after: [TableInfo], strict: Bool = false
    ) {
        self.upSchema = upSchema
        self.upTable = upTable
        self.downSchema = downSchema
        self.downTable = downTable
        self.ddls = ddls
        self.before = before
        self.after = after
        self.strict = strict
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
    func coordinate(
        _ info: ShardDDLInfo,
        apply: @Sendable (ShardDDLDecision) async throws -> Void
    ) async throws(ShardDDLError) -> ShardDDLDecision
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
