public import Domain

/// Why a subtask stopped: it names the cause and, when a binlog event caused it, the event's position,
/// so an operator can `braid ctl binlog skip|replace` exactly there.
public struct ReplicationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A DDL Braid cannot parse or refuses (foreign keys, multi-table statements, ...).
        case unsupportedDDL = "unsupported_ddl"
        /// A DDL that does not apply to the tracked schema.
        case schemaChange = "schema_change"
        case unknownTable = "unknown_table"
        /// A rows event whose table map does not match the tracked schema.
        case schemaMismatch = "schema_mismatch"
        /// Upstream or downstream I/O failed.
        case upstream
        case downstream
        /// A newer binding owns the checkpoint: this worker must stop writing (tiflow#3737).
        case fenced
        /// The master refused or could not coordinate a shard DDL.
        case shardDDL = "shard_ddl"
        /// The tables of one pessimistic sharding group saw different DDLs.
        case shardDDLMismatch = "shard_ddl_mismatch"
        case configuration
        /// A binlog event filter with `action: Error` matched the event.
        case filterError = "filter_error"
    }

    public var code: Code
    public var message: String
    /// The statement involved, when there is one.
    public var statement: String?
    /// The start position of the binlog event that caused it.
    public var position: BinlogPosition?
    /// The error number of a statement the server rejected (not set for lost connections).
    public var serverErrno: UInt32?

    public init(
        _ code: Code, _ message: String, statement: String? = nil, position: BinlogPosition? = nil, serverErrno: UInt32? = nil
    ) {
        self.code = code
        self.message = message
        self.statement = statement
        self.position = position
        self.serverErrno = serverErrno
    }

    /// Whether retrying from the checkpoint can succeed with nobody acting: a lost connection, a lock
    /// wait timeout, a deadlock, a server shutting down or read-only during a failover. A statement
    /// the server rejects (duplicate key, unknown column, value out of range) fails the same way each
    /// time, so it pauses the subtask with its error instead of retrying forever.
    public var isTransient: Bool {
        switch self.code {
        case .upstream:
            return true
        case .downstream:
            guard let errno = self.serverErrno else { return true }
            return Self.transientServerErrors.contains(errno)
        case .unsupportedDDL, .schemaChange, .unknownTable, .schemaMismatch, .fenced, .shardDDL, .shardDDLMismatch,
            .configuration, .filterError:
            return false
        }
    }

    /// Too many connections, shutdown in progress, lock wait timeout, read-only, deadlock, query
    /// interrupted, connection killed, idle disconnect.
    static let transientServerErrors: Set<UInt32> = [1040, 1053, 1205, 1290, 1213, 1317, 1927, 4031]

    /// This error attributed to the binlog event that caused it, unless it already names one: a
    /// paused subtask then reports the position `binlog skip|replace` acts on.
    public func located(statement: String, position: BinlogPosition) -> ReplicationError {
        var located = self
        if located.position == nil {
            located.position = position
            located.statement = located.statement ?? statement
        }
        return located
    }

    public var description: String {
        var text = "\(self.code.rawValue): \(self.message)"
        if let statement { text += " [statement: \(statement)]" }
        if let position { text += " at \(position)" }
        return text
    }
}
