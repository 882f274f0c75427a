public import BinaryCoding

/// Where a table's latest optimistic operation stands, with DM's names (`optimism/operation.go`)
/// so `query-status` output and docs carry over.
public enum ConflictStage: String, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    /// No conflict: execute the operation's DDLs (possibly none) and report done.
    case none = "none"
    /// The DDL conflicts with another table's; the table waits (or an operator unlocks it).
    case detected = "detected"
    /// Redirect: the conflict this table was skipped for is resolved; re-sync its skipped events.
    case resolved = "resolved"
    /// An operator released the table (`shard-ddl-lock unlock --action skip|exec`).
    case unlocked = "unlocked"
    /// The DDL conflicts for now but may be resolved once every table does the same; skip the
    /// table's events from here and wait for a `resolved` redirect.
    case skipAndWaitForRedirect = "skip and wait for redirect"
    /// The DDL cannot be coordinated (strict mode, or a bad report); the subtask pauses with the message.
    case error = "error"

    /// Stages in which the worker is stuck until something else happens: the ones an operator may unlock.
    public var isStuck: Bool {
        switch self {
        case .detected, .skipAndWaitForRedirect, .error: true
        case .none, .resolved, .unlocked: false
        }
    }

    private var tag: UInt8 {
        switch self {
        case .none: 0
        case .detected: 1
        case .resolved: 2
        case .unlocked: 3
        case .skipAndWaitForRedirect: 4
        case .error: 5
        }
    }

    public func encode(to writer: inout ByteWriter) { writer.writeByte(self.tag) }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 0: self = .none
        case 1: self = .detected
        case 2: self = .resolved
        case 3: self = .unlocked
        case 4: self = .skipAndWaitForRedirect
        case 5: self = .error
        case let tag: throw BinaryDecodingError(.invalidValue, at: at, "conflict stage tag \(tag)")
        }
    }
}

/// How far a partially dropped column has gone for one table (DM's `DropColumnStage`).
///
/// A column dropped by some shards but still present downstream must not be re-added by one of
/// them: its old values would reappear (dm#1554, tiflow#3617).
public enum DropColumnStage: UInt8, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    /// The table dropped the column; its operation is not done yet.
    case notDone = 0
    /// The table's operation is done, but it did not drop the column downstream.
    case partiallyDone = 1
    /// The table's operation is done and executed the DROP COLUMN downstream.
    case done = 2

    public func encode(to writer: inout ByteWriter) { writer.writeByte(self.rawValue) }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let raw = try reader.readByte()
        guard let stage = DropColumnStage(rawValue: raw) else {
            throw BinaryDecodingError(.invalidValue, at: at, "drop column stage \(raw)")
        }
        self = stage
    }
}

/// What an operator's `shard-ddl-lock unlock --action` does with a stuck table's DDLs.
public enum UnlockAction: UInt8, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    /// Execute nothing downstream for the table's DDLs; the table proceeds.
    case skip = 0
    /// Execute the table's reported DDLs downstream as they are.
    case exec = 1

    public func encode(to writer: inout ByteWriter) { writer.writeByte(self.rawValue) }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let raw = try reader.readByte()
        guard let action = UnlockAction(rawValue: raw) else {
            throw BinaryDecodingError(.invalidValue, at: at, "unlock action \(raw)")
        }
        self = action
    }
}

/// Why a lock disappeared without being resolved.
public enum LockRemovalReason: UInt8, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    /// `shard-ddl-lock unlock --force-remove`.
    case forced = 0
    /// The task was stopped/removed; its optimistic metadata goes with it.
    case taskRemoved = 1
    /// Its last table left (source left the task, table dropped).
    case empty = 2

    public func encode(to writer: inout ByteWriter) { writer.writeByte(self.rawValue) }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let raw = try reader.readByte()
        guard let reason = LockRemovalReason(rawValue: raw) else {
            throw BinaryDecodingError(.invalidValue, at: at, "lock removal reason \(raw)")
        }
        self = reason
    }
}
