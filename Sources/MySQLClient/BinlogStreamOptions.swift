/// What to dump and how (COM_BINLOG_DUMP through `mariadb_rpl_*`).
public struct BinlogStreamOptions: Sendable, Hashable {
    public enum Start: Sendable, Hashable {
        /// A file and offset; `BinlogPosition(file: "", position: 4)` means the first binlog file.
        case position(BinlogPosition)
        /// A MariaDB GTID position such as `0-1-64` or `0-1-64,1-2-7` (`@slave_connect_state`):
        /// the stream continues after these transactions.
        case gtid(String)
    }

    public enum Mode: Sendable, Hashable {
        /// Wait for new events forever (a replica's tail).
        case tail
        /// Stop at the end of the binlog (`BINLOG_DUMP_NON_BLOCK`): `next()` then returns nil.
        case untilEnd
    }

    public var start: Start
    /// The replica server id this stream registers with; unique per upstream, not the upstream's own.
    public var serverID: UInt32
    public var mode: Mode
    /// Ask for ANNOTATE_ROWS events (the original statement before its rows events).
    public var annotateRows: Bool
    /// `@master_heartbeat_period`: the server sends HEARTBEAT events this often while idle.
    public var heartbeatPeriod: Duration?
    /// Verify each event's CRC32 in libmariadb.
    public var verifyChecksum: Bool
    /// Events buffered between the reading thread and the consumer before the reader waits.
    public var bufferCapacity: Int

    public init(
        start: Start, serverID: UInt32, mode: Mode = .tail, annotateRows: Bool = false, heartbeatPeriod: Duration? = nil,
        verifyChecksum: Bool = false, bufferCapacity: Int = 8192
    ) {
        self.start = start
        self.serverID = serverID
        self.mode = mode
        self.annotateRows = annotateRows
        self.heartbeatPeriod = heartbeatPeriod
        self.verifyChecksum = verifyChecksum
        self.bufferCapacity = bufferCapacity
    }
}
