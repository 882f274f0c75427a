/// One binlog event, copied out of libmariadb into Swift values as soon as it is fetched, so
/// nothing C-owned outlives the fetch.
public struct BinlogEvent: Sendable {
    public var header: BinlogEventHeader
    public var kind: Kind
    /// The stream position after this event (file from the last ROTATE, offset from the header's
    /// next-position). Artificial events and heartbeats do not move it. Resuming from here
    /// continues after this event.
    public var position: BinlogPosition

    public init(header: BinlogEventHeader, kind: Kind, position: BinlogPosition) {
        self.header = header
        self.kind = kind
        self.position = position
    }

    public enum Kind: Sendable {
        case rotate(RotateEvent)
        case formatDescription(FormatDescriptionEvent)
        case gtid(GTIDEvent)
        /// The GTID state at the start of a binlog file (or, when starting by GTID, the artificial
        /// state the server resumes from).
        case gtidList([MariaDBGTID])
        /// Binlog files up to this one are no longer needed for crash recovery.
        case binlogCheckpoint(file: String)
        case query(QueryEvent)
        case tableMap(TableMap)
        case rows(RowsEvent)
        /// Commit of a transactional event group.
        case xid(UInt64)
        /// Surfaced, not filtered (libmariadb cannot filter them: its flag field is too narrow),
        /// so a tailer can tell an idle upstream from a dead connection. Carries the server's
        /// current binlog position; it does not move the stream position.
        case heartbeat(BinlogPosition)
        /// The original SQL of the following rows events (`annotateRows` option).
        case annotateRows(String)
        /// Any other type (INTVAR, RAND, USER_VAR, STOP, ...), by type code.
        case other(typeCode: UInt8)
    }
}

/// The common 19-byte event header.
public struct BinlogEventHeader: Sendable, Hashable {
    /// Seconds since the epoch when the statement started on the upstream (0 for some artificial events).
    public var timestamp: UInt32
    public var typeCode: UInt8
    public var serverID: UInt32
    public var eventSize: UInt32
    /// Offset of the next event in the current file; 0 for artificial events.
    public var nextPosition: UInt32
    public var flags: UInt16

    public init(timestamp: UInt32, typeCode: UInt8, serverID: UInt32, eventSize: UInt32, nextPosition: UInt32, flags: UInt16) {
        self.timestamp = timestamp
        self.typeCode = typeCode
        self.serverID = serverID
        self.eventSize = eventSize
        self.nextPosition = nextPosition
        self.flags = flags
    }

    /// `LOG_EVENT_ARTIFICIAL_F`: made up by the dump thread, not read from the file.
    public var isArtificial: Bool { self.flags & 0x20 != 0 }
}

public struct RotateEvent: Sendable, Hashable {
    public var file: String
    public var position: UInt64
    /// Sent by the server at the start of a dump (not in the file): says where the stream starts.
    public var isArtificial: Bool
}

public struct FormatDescriptionEvent: Sendable, Hashable {
    public var binlogVersion: UInt16
    public var serverVersion: String
}

public struct GTIDEvent: Sendable, Hashable {
    public var gtid: MariaDBGTID
    public var flags: Flags
    /// Group-commit id when `flags` has `.groupCommitID`.
    public var commitID: UInt64?

    public struct Flags: OptionSet, Sendable, Hashable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// No terminating XID/COMMIT: the group is one statement (DDL, non-transactional DML).
        public static let standalone = Flags(rawValue: 0x01)
        public static let groupCommitID = Flags(rawValue: 0x02)
        public static let transactional = Flags(rawValue: 0x04)
        public static let allowParallel = Flags(rawValue: 0x08)
        public static let waited = Flags(rawValue: 0x10)
        public static let ddl = Flags(rawValue: 0x20)
        public static let preparedXA = Flags(rawValue: 0x40)
        public static let completedXA = Flags(rawValue: 0x80)
    }
}

public struct QueryEvent: Sendable, Hashable {
    public var threadID: UInt32
    public var executionSeconds: UInt32
    public var errorCode: UInt32
    /// The default database (`USE`) the statement ran in; may be empty.
    public var schema: String
    /// The statement's exact bytes (they may hold literals in a non-UTF-8 charset).
    public var statementBytes: [UInt8]

    /// The statement as text (lossy outside UTF-8).
    public var statement: String { String(decoding: self.statementBytes, as: UTF8.self) }
}
