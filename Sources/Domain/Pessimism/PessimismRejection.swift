public import BinaryCoding

/// Why the leader did not accept a pessimism Info. The rejected Info is recorded with this reason
/// (DM logged and dropped it, dm#628), so it stays visible until a corrected Info or an unlock
/// supersedes it.
public enum PessimismRejection: Sendable, Hashable, Codable, BinaryCodable {
    /// The Info's DDLs are not set-equal to the lock's (DM's `ErrMasterShardingDDLDiff`).
    case ddlsDiffer(lockDDLs: [String])
    /// The source already has another shard DDL in flight in this task (one Info per task and
    /// source, as DM's etcd key layout implies).
    case anotherDDLInFlight(lock: LockID, ddls: [String])
    /// The reporting source is not one of the task's sources.
    case sourceNotInTask

    /// The operator-facing text; for a DDL mismatch it is DM's message so existing runbooks match.
    public func message(for info: PessimismInfo) -> String {
        switch self {
        case .ddlsDiffer(let lockDDLs):
            "sharding ddls in ddl lock \(PessimismInfo.render(lockDDLs)) is different with \(PessimismInfo.render(info.ddls))"
        case .anotherDDLInFlight(let lock, let ddls):
            "source \(info.source) already has shard DDL \(PessimismInfo.render(ddls)) in flight in lock \(lock)"
        case .sourceNotInTask:
            "source \(info.source) is not a source of task \(info.task)"
        }
    }

    private var tag: UInt8 {
        switch self {
        case .ddlsDiffer: 1
        case .anotherDDLInFlight: 2
        case .sourceNotInTask: 3
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeByte(self.tag)
        switch self {
        case .ddlsDiffer(let lockDDLs):
            writer.writeArray(lockDDLs)
        case .anotherDDLInFlight(let lock, let ddls):
            writer.write(lock)
            writer.writeArray(ddls)
        case .sourceNotInTask:
            break
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self = .ddlsDiffer(lockDDLs: try reader.readArray())
        case 2: self = .anotherDDLInFlight(lock: try reader.read(), ddls: try reader.readArray())
        case 3: self = .sourceNotInTask
        case let tag: throw BinaryDecodingError(.invalidValue, at: at, "unknown pessimism rejection tag \(tag)")
        }
    }
}

/// Why a shard-DDL lock left the state.
public enum PessimisticLockRemovalReason: UInt8, Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    /// Every source executed or skipped the DDLs (normally, or after a manual unlock).
    case resolved = 1
    /// An operator's `unlock --force-remove`.
    case forced = 2
    /// The task was removed (DM left such locks behind, dm#1543).
    case taskRemoved = 3
    /// Every source that had reported the DDL left the task; nobody is left to execute it.
    case abandoned = 4

    public var description: String {
        switch self {
        case .resolved: "resolved"
        case .forced: "forced"
        case .taskRemoved: "task removed"
        case .abandoned: "abandoned"
        }
    }

    public func encode(to writer: inout ByteWriter) { writer.writeByte(self.rawValue) }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let raw = try reader.readByte()
        guard let value = Self(rawValue: raw) else {
            throw BinaryDecodingError(.invalidValue, at: at, "unknown lock removal reason \(raw)")
        }
        self = value
    }
}
