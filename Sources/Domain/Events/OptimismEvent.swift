public import BinaryCoding
public import Schema

/// Facts and decisions of optimistic shard-DDL coordination (DM's `shardddl/optimism`).
///
/// Facts (`sourceTablesReported`, `infoReported`, `operationDone`, operator requests) are
/// recorded as received; decisions (`lockCreated`, `operationIssued`, `conflictsResolved`, ...)
/// carry their outcome (schemas, joined schema) so that `evolve` never re-runs the join and a
/// replay with a newer lattice reproduces the same history. Case tags are on-disk format.
public enum OptimismEvent: EventCategoryCodable {
    /// A worker's routed upstream tables for one (task, source) with their current schemas,
    /// replacing whatever that source reported before (DM's source tables + checkpoint table_info).
    case sourceTablesReported(task: TaskName, source: SourceID, tables: [TableName: [TableName: TableInfo]])
    /// A source stopped replicating the task; its tables are gone from the registry.
    case sourceLeftTask(task: TaskName, source: SourceID)
    /// The task was stopped/removed; all its optimistic metadata is gone.
    case taskRemoved(task: TaskName)
    /// A worker's Info, as received.
    case infoReported(OptimismInfo)
    /// An Info that could not be coordinated at all (malformed); kept visible with the reason (dm#628).
    case infoRejected(OptimismInfo, reason: String)
    /// A lock came into being with these tables and schemas.
    case lockCreated(lock: LockID, task: TaskName, downstream: TableName, tables: [SourceTable: TableInfo], joined: TableInfo?)
    /// A table joined a live lock (new routed table, or the Info's own table).
    case tableAdded(lock: LockID, table: SourceTable, schema: TableInfo, joined: TableInfo?)
    /// A table left a live lock; `joined` is recomputed without it (P18).
    case tableRemoved(lock: LockID, table: SourceTable, joined: TableInfo?)
    /// The master's answer to a table, and the lock's resulting view of that table.
    case operationIssued(OptimismOperation, OptimismTableUpdate)
    /// Every conflicting table now agrees: these tables take their conflict schemas and get
    /// `resolved` redirect operations.
    case conflictsResolved(lock: LockID, tables: [SourceTable: TableInfo], redirects: [OptimismOperation], joined: TableInfo?)
    /// A worker finished the operation with this id.
    case operationDone(lock: LockID, table: SourceTable, operation: UInt64)
    /// A done that matched no current operation (stale, unknown lock or table), kept visible.
    case operationDoneRejected(lock: LockID, table: SourceTable, operation: UInt64, reason: String)
    /// A partially dropped column moved to `stage` for `table`.
    case droppedColumnStageChanged(lock: LockID, column: String, table: SourceTable, stage: DropColumnStage)
    /// A dropped column is gone downstream and done everywhere; it may be added again.
    case droppedColumnCleared(lock: LockID, column: String)
    /// An operator released a stuck table (`shard-ddl-lock unlock`); the operation follows.
    case operatorUnlocked(lock: LockID, table: SourceTable, action: UnlockAction)
    /// Every table agrees with the joined schema and every operation is done; the lock is gone.
    case lockResolved(lock: LockID)
    /// The lock is gone without being resolved.
    case lockRemoved(lock: LockID, reason: LockRemovalReason)

    public var caseTag: UInt8 {
        switch self {
        case .sourceTablesReported: 1
        case .sourceLeftTask: 2
        case .taskRemoved: 3
        case .infoReported: 4
        case .infoRejected: 5
        case .lockCreated: 6
        case .tableAdded: 7
        case .tableRemoved: 8
        case .operationIssued: 9
        case .conflictsResolved: 10
        case .operationDone: 11
        case .operationDoneRejected: 12
        case .droppedColumnStageChanged: 13
        case .droppedColumnCleared: 14
        case .operatorUnlocked: 15
        case .lockResolved: 16
        case .lockRemoved: 17
        }
    }

    public var caseName: String {
        switch self {
        case .sourceTablesReported: "sourceTablesReported"
        case .sourceLeftTask: "sourceLeftTask"
        case .taskRemoved: "taskRemoved"
        case .infoReported: "infoReported"
        case .infoRejected: "infoRejected"
        case .lockCreated: "lockCreated"
        case .tableAdded: "tableAdded"
        case .tableRemoved: "tableRemoved"
        case .operationIssued: "operationIssued"
        case .conflictsResolved: "conflictsResolved"
        case .operationDone: "operationDone"
        case .operationDoneRejected: "operationDoneRejected"
        case .droppedColumnStageChanged: "droppedColumnStageChanged"
        case .droppedColumnCleared: "droppedColumnCleared"
        case .operatorUnlocked: "operatorUnlocked"
        case .lockResolved: "lockResolved"
        case .lockRemoved: "lockRemoved"
        }
    }

    public var subjects: [EventSubject] {
        switch self {
        case .sourceTablesReported(let task, let source, _), .sourceLeftTask(let task, let source):
            [.task(task.rawValue), .source(source.rawValue)]
        case .taskRemoved(let task):
            [.task(task.rawValue)]
        case .infoReported(let info), .infoRejected(let info, _):
            [.task(info.task.rawValue), .source(info.source.rawValue), .lock(info.lockID.rawValue)]
        case .lockCreated(let lock, let task, _, _, _):
            [.task(task.rawValue), .lock(lock.rawValue)]
        case .tableAdded(let lock, let table, _, _), .tableRemoved(let lock, let table, _),
            .operationDone(let lock, let table, _), .operationDoneRejected(let lock, let table, _, _),
            .droppedColumnStageChanged(let lock, _, let table, _), .operatorUnlocked(let lock, let table, _):
            [.lock(lock.rawValue), .source(table.source.rawValue)]
        case .operationIssued(let op, _):
            [.lock(op.lock.rawValue), .source(op.table.source.rawValue)]
        case .conflictsResolved(let lock, _, let redirects, _):
            [.lock(lock.rawValue)] + Set(redirects.map(\.table.source)).sorted().map { .source($0.rawValue) }
        case .droppedColumnCleared(let lock, _), .lockResolved(let lock), .lockRemoved(let lock, _):
            [.lock(lock.rawValue)]
        }
    }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .sourceTablesReported(let task, let source, let tables):
            writer.write(task)
            writer.write(source)
            writer.writeDictionary(tables)
        case .sourceLeftTask(let task, let source):
            writer.write(task)
            writer.write(source)
        case .taskRemoved(let task):
            writer.write(task)
        case .infoReported(let info):
            writer.write(info)
        case .infoRejected(let info, let reason):
            writer.write(info)
            writer.writeString(reason)
        case .lockCreated(let lock, let task, let downstream, let tables, let joined):
            writer.write(lock)
            writer.write(task)
            writer.write(downstream)
            writer.writeDictionary(tables)
            writer.writeOptional(joined)
        case .tableAdded(let lock, let table, let schema, let joined):
            writer.write(lock)
            writer.write(table)
            writer.write(schema)
            writer.writeOptional(joined)
        case .tableRemoved(let lock, let table, let joined):
            writer.write(lock)
            writer.write(table)
            writer.writeOptional(joined)
        case .operationIssued(let op, let update):
            writer.write(op)
            writer.write(update)
        case .conflictsResolved(let lock, let tables, let redirects, let joined):
            writer.write(lock)
            writer.writeDictionary(tables)
            writer.writeArray(redirects)
            writer.writeOptional(joined)
        case .operationDone(let lock, let table, let operation):
            writer.write(lock)
            writer.write(table)
            writer.writeVarUInt(operation)
        case .operationDoneRejected(let lock, let table, let operation, let reason):
            writer.write(lock)
            writer.write(table)
            writer.writeVarUInt(operation)
            writer.writeString(reason)
        case .droppedColumnStageChanged(let lock, let column, let table, let stage):
            writer.write(lock)
            writer.writeString(column)
            writer.write(table)
            writer.write(stage)
        case .droppedColumnCleared(let lock, let column):
            writer.write(lock)
            writer.writeString(column)
        case .operatorUnlocked(let lock, let table, let action):
            writer.write(lock)
            writer.write(table)
            writer.write(action)
        case .lockResolved(let lock):
            writer.write(lock)
        case .lockRemoved(let lock, let reason):
            writer.write(lock)
            writer.write(reason)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        switch caseTag {
        case 1:
            self = .sourceTablesReported(task: try reader.read(), source: try reader.read(), tables: try reader.readDictionary())
        case 2:
            self = .sourceLeftTask(task: try reader.read(), source: try reader.read())
        case 3:
            self = .taskRemoved(task: try reader.read())
        case 4:
            self = .infoReported(try reader.read())
        case 5:
            self = .infoRejected(try reader.read(), reason: try reader.readString())
        case 6:
            self = .lockCreated(
                lock: try reader.read(), task: try reader.read(), downstream: try reader.read(),
                tables: try reader.readDictionary(), joined: try reader.readOptional())
        case 7:
            self = .tableAdded(
                lock: try reader.read(), table: try reader.read(), schema: try reader.read(), joined: try reader.readOptional())
        case 8:
            self = .tableRemoved(lock: try reader.read(), table: try reader.read(), joined: try reader.readOptional())
        case 9:
            self = .operationIssued(try reader.read(), try reader.read())
        case 10:
            self = .conflictsResolved(
                lock: try reader.read(), tables: try reader.readDictionary(), redirects: try reader.readArray(),
                joined: try reader.readOptional())
        case 11:
            self = .operationDone(lock: try reader.read(), table: try reader.read(), operation: try reader.readVarUInt())
        case 12:
            self = .operationDoneRejected(
                lock: try reader.read(), table: try reader.read(), operation: try reader.readVarUInt(),
                reason: try reader.readString())
        case 13:
            self = .droppedColumnStageChanged(
                lock: try reader.read(), column: try reader.readString(), table: try reader.read(), stage: try reader.read())
        case 14:
            self = .droppedColumnCleared(lock: try reader.read(), column: try reader.readString())
        case 15:
            self = .operatorUnlocked(lock: try reader.read(), table: try reader.read(), action: try reader.read())
        case 16:
            self = .lockResolved(lock: try reader.read())
        case 17:
            self = .lockRemoved(lock: try reader.read(), reason: try reader.read())
        default:
            throw BinaryDecodingError(.invalidValue, at: reader.offset, "unknown optimism event tag \(caseTag)")
        }
    }
}
