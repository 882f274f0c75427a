public import BinaryCoding

/// Facts and decisions of pessimistic shard-DDL coordination (DM's two-level barrier, master side).
///
/// A worker's report is recorded as a fact (`infoReported`, or `infoRejected` with the reason);
/// the leader's decisions follow it in the same append (`lockCreated`, `operationIssued`, ...).
/// Replaying these events rebuilds every lock exactly, so no decision is ever re-made on replay.
public enum PessimismEvent: EventCategoryCodable {
    /// Fact: a source reported it is blocked at `info.ddls`. `taskSources` are the task's sources
    /// at that moment; they become the lock's expected sources if this Info creates or waits for
    /// a lock. `nil` means exactly the sources of the live lock `info.lockID` (the usual case:
    /// every source of a lock reports the same set, so the log does not repeat it per source).
    case infoReported(info: PessimismInfo, taskSources: Set<SourceID>?)
    /// Fact: a report was not accepted; kept visible (DM dropped it silently, dm#628) and offered
    /// again when the lock it disagreed with goes. `taskSources` as in `infoReported`.
    case infoRejected(info: PessimismInfo, reason: PessimismRejection, taskSources: Set<SourceID>)
    /// Decision: the first Info for `lock` created it; its source is the owner and is synced.
    /// `serial` numbers lock instances (ids are reused by successive DDLs on one table).
    /// `sources` `nil` means the task sources of the owner's in-flight Info (always the case when
    /// decided; they include the owner), so the set is recorded once, in that `infoReported`.
    case lockCreated(
        lock: LockID,
        serial: UInt64,
        task: TaskName,
        downstream: TableName,
        owner: SourceID,
        ddls: [String],
        sources: Set<SourceID>?
    )
    /// Decision: `source` reported the lock's DDLs and is now synced (ready).
    case sourceSynced(lock: LockID, source: SourceID)
    /// Decision: sources that joined the task after the lock was created are now expected too
    /// (DM merges the task's sources into the lock on every TrySync).
    case sourcesAdded(lock: LockID, sources: Set<SourceID>)
    /// Decision: tell `operation.source` to execute (owner) or skip the DDLs.
    case operationIssued(PessimismOperation)
    /// Fact: the source executed or skipped the DDLs; its Info is no longer in flight.
    case operationDone(lock: LockID, task: TaskName, source: SourceID)
    /// Operator decision (`shard-ddl-lock unlock`): every source counts as synced, `owner`
    /// (if given) replaces the owner, `forceRemove` removes the lock without waiting.
    case unlockRequested(lock: LockID, owner: SourceID?, forceRemove: Bool)
    /// Fact: the source left the task; its in-flight and rejected Infos of the task are dropped.
    case sourceLeftTask(task: TaskName, source: SourceID)
    /// Decision: the lock no longer waits for `source`; `newOwner` is set when it was the owner.
    case sourceReleased(lock: LockID, source: SourceID, newOwner: SourceID?)
    /// Decision: every source executed or skipped the DDLs.
    case lockResolved(lock: LockID)
    /// Decision: the lock is gone; Infos still in flight for it are dropped with it.
    case lockRemoved(lock: LockID, reason: PessimisticLockRemovalReason)
    /// Fact: the task was removed; its Infos and rejections are forgotten (locks follow as
    /// `lockRemoved(.taskRemoved)`).
    case taskRemoved(task: TaskName)

    public var caseTag: UInt8 {
        switch self {
        case .infoReported: 1
        case .infoRejected: 2
        case .lockCreated: 3
        case .sourceSynced: 4
        case .sourcesAdded: 5
        case .operationIssued: 6
        case .operationDone: 7
        case .unlockRequested: 8
        case .sourceLeftTask: 9
        case .sourceReleased: 10
        case .lockResolved: 11
        case .lockRemoved: 12
        case .taskRemoved: 13
        }
    }

    public var caseName: String {
        switch self {
        case .infoReported: "infoReported"
        case .infoRejected: "infoRejected"
        case .lockCreated: "lockCreated"
        case .sourceSynced: "sourceSynced"
        case .sourcesAdded: "sourcesAdded"
        case .operationIssued: "operationIssued"
        case .operationDone: "operationDone"
        case .unlockRequested: "unlockRequested"
        case .sourceLeftTask: "sourceLeftTask"
        case .sourceReleased: "sourceReleased"
        case .lockResolved: "lockResolved"
        case .lockRemoved: "lockRemoved"
        case .taskRemoved: "taskRemoved"
        }
    }

    public var subjects: [EventSubject] {
        switch self {
        case .infoReported(let info, _), .infoRejected(let info, _, _):
            [.lock(info.lockID.rawValue), .task(info.task.rawValue), .source(info.source.rawValue)]
        case .lockCreated(let lock, _, let task, _, let owner, _, _):
            [.lock(lock.rawValue), .task(task.rawValue), .source(owner.rawValue)]
        case .sourceSynced(let lock, let source):
            Self.lockSubjects(lock) + [.source(source.rawValue)]
        case .sourcesAdded(let lock, let sources):
            Self.lockSubjects(lock) + sources.sorted().map { .source($0.rawValue) }
        case .operationIssued(let op):
            [.lock(op.lock.rawValue), .task(op.task.rawValue), .source(op.source.rawValue)]
        case .operationDone(let lock, let task, let source):
            [.lock(lock.rawValue), .task(task.rawValue), .source(source.rawValue)]
        case .unlockRequested(let lock, let owner, _):
            Self.lockSubjects(lock) + (owner.map { [.source($0.rawValue)] } ?? [])
        case .sourceLeftTask(let task, let source):
            [.task(task.rawValue), .source(source.rawValue)]
        case .sourceReleased(let lock, let source, let newOwner):
            Self.lockSubjects(lock) + [.source(source.rawValue)] + (newOwner.map { [.source($0.rawValue)] } ?? [])
        case .lockResolved(let lock), .lockRemoved(let lock, _):
            Self.lockSubjects(lock)
        case .taskRemoved(let task):
            [.task(task.rawValue)]
        }
    }

    /// The lock and, when the id parses, its task.
    private static func lockSubjects(_ lock: LockID) -> [EventSubject] {
        [.lock(lock.rawValue)] + (lock.components.map { [.task($0.task.rawValue)] } ?? [])
    }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .infoReported(let info, let taskSources):
            writer.write(info)
            Self.writeSources(taskSources, to: &writer)
        case .infoRejected(let info, let reason, let taskSources):
            writer.write(info)
            writer.write(reason)
            writer.writeSet(taskSources)
        case .lockCreated(let lock, let serial, let task, let downstream, let owner, let ddls, let sources):
            writer.write(lock)
            writer.writeVarUInt(serial)
            writer.write(task)
            writer.write(downstream)
            writer.write(owner)
            writer.writeArray(ddls)
            Self.writeSources(sources, to: &writer)
        case .sourceSynced(let lock, let source):
            writer.write(lock)
            writer.write(source)
        case .sourcesAdded(let lock, let sources):
            writer.write(lock)
            writer.writeSet(sources)
        case .operationIssued(let op):
            writer.write(op)
        case .operationDone(let lock, let task, let source):
            writer.write(lock)
            writer.write(task)
            writer.write(source)
        case .unlockRequested(let lock, let owner, let forceRemove):
            writer.write(lock)
            writer.writeOptional(owner)
            writer.writeBool(forceRemove)
        case .sourceLeftTask(let task, let source):
            writer.write(task)
            writer.write(source)
        case .sourceReleased(let lock, let source, let newOwner):
            writer.write(lock)
            writer.write(source)
            writer.writeOptional(newOwner)
        case .lockResolved(let lock):
            writer.write(lock)
        case .lockRemoved(let lock, let reason):
            writer.write(lock)
            writer.write(reason)
        case .taskRemoved(let task):
            writer.write(task)
        }
    }

    /// An optional source set: a flag byte, then the set if present.
    private static func writeSources(_ sources: Set<SourceID>?, to writer: inout ByteWriter) {
        if let sources {
            writer.writeByte(1)
            writer.writeSet(sources)
        } else {
            writer.writeByte(0)
        }
    }

    private static func readSources(from reader: inout ByteReader) throws(BinaryDecodingError) -> Set<SourceID>? {
        let at = reader.offset
        switch try reader.readByte() {
        case 0: return nil
        case 1: return try reader.readSet()
        case let flag: throw BinaryDecodingError(.invalidValue, at: at, "bad source-set flag \(flag)")
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        switch caseTag {
        case 1: self = .infoReported(info: try reader.read(), taskSources: try Self.readSources(from: &reader))
        case 2:
            self = .infoRejected(info: try reader.read(), reason: try reader.read(), taskSources: try reader.readSet())
        case 3:
            self = .lockCreated(
                lock: try reader.read(),
                serial: try reader.readVarUInt(),
                task: try reader.read(),
                downstream: try reader.read(),
                owner: try reader.read(),
                ddls: try reader.readArray(),
                sources: try Self.readSources(from: &reader)
            )
        case 4: self = .sourceSynced(lock: try reader.read(), source: try reader.read())
        case 5: self = .sourcesAdded(lock: try reader.read(), sources: try reader.readSet())
        case 6: self = .operationIssued(try reader.read())
        case 7: self = .operationDone(lock: try reader.read(), task: try reader.read(), source: try reader.read())
        case 8:
            self = .unlockRequested(
                lock: try reader.read(),
                owner: try reader.readOptional(),
                forceRemove: try reader.readBool()
            )
        case 9: self = .sourceLeftTask(task: try reader.read(), source: try reader.read())
        case 10:
            self = .sourceReleased(
                lock: try reader.read(),
                source: try reader.read(),
                newOwner: try reader.readOptional()
            )
        case 11: self = .lockResolved(lock: try reader.read())
        case 12: self = .lockRemoved(lock: try reader.read(), reason: try reader.read())
        case 13: self = .taskRemoved(task: try reader.read())
        default: throw BinaryDecodingError(.invalidValue, at: reader.offset, "unknown pessimism event tag \(caseTag)")
        }
    }
}
