public import Domain
public import MySQLClient

/// What the sync engine consumes from the upstream binlog, already framed into transactions.
public enum UpstreamEvent: Sendable {
    /// A committed transaction's row changes, in binlog order.
    case transaction(UpstreamTransaction)
    /// A DDL statement (its own transaction). `start` re-reads it; `end` continues after it.
    case ddl(UpstreamDDL)
    /// Nothing happened for a while; the position is unchanged. A chance to flush.
    case idle
}

public struct UpstreamTransaction: Sendable {
    public var rows: [UpstreamRows]
    /// Where the transaction's first event starts.
    public var start: BinlogPosition
    /// Just after its last event (the XID): the checkpoint of everything in it.
    public var end: BinlogPosition
    /// The executed GTID set after the transaction, when the source logs GTIDs.
    public var gtid: String?

    public init(rows: [UpstreamRows], start: BinlogPosition, end: BinlogPosition, gtid: String?) {
        self.rows = rows
        self.start = start
        self.end = end
        self.gtid = gtid
    }
}

/// One rows event: one table, one kind, rows decoded on demand.
///
/// Decoding waits for the engine because only the engine knows the table's schema *at this point of
/// the binlog* (the reader may run ahead of a DDL the engine has not applied yet), and because rows of
/// skipped tables are never decoded at all.
public struct UpstreamRows: Sendable {
    public enum Kind: Sendable, Hashable {
        case insert
        case update
        case delete
    }

    public var table: TableName
    public var kind: Kind
    /// The number of columns the binlog's table map declares.
    public var columnCount: Int
    /// Decodes the images given the columns' unsignedness (`nil`: trust the binlog's metadata).
    /// Inserts and deletes: one image per row. Updates: before, after, before, after...
    public var decode: @Sendable (_ unsigned: [Bool]?) throws(ReplicationError) -> [[MySQLValue]]

    public init(
        table: TableName, kind: Kind, columnCount: Int,
        decode: @escaping @Sendable (_ unsigned: [Bool]?) throws(ReplicationError) -> [[MySQLValue]]
    ) {
        self.table = table
        self.kind = kind
        self.columnCount = columnCount
        self.decode = decode
    }
}

public struct UpstreamDDL: Sendable {
    /// The default database of the statement (the event's schema).
    public var schema: String
    public var statement: String
    public var start: BinlogPosition
    public var end: BinlogPosition
    public var gtid: String?

    public init(schema: String, statement: String, start: BinlogPosition, end: BinlogPosition, gtid: String?) {
        self.schema = schema
        self.statement = statement
        self.start = start
        self.end = end
        self.gtid = gtid
    }
}

/// A source of upstream events positioned at a binlog position. The engine re-opens it to rewind.
public protocol UpstreamReader: Sendable {
    func open(at position: BinlogPosition, gtid: String?) async throws(ReplicationError) -> any UpstreamEventStream
}

/// The next event, or `nil` at the end of a finite stream.
public protocol UpstreamEventStream: AnyObject, Sendable {
    func next() async throws(ReplicationError) -> UpstreamEvent?
    func close() async
    /// Whether the next `next()` would wait for the upstream: everything fetched so far has been
    /// handed out. The engine commits its pending round then instead of waiting for a full one.
    var isCaughtUp: Bool { get }
}

extension UpstreamEventStream {
    /// Streams that cannot tell never trigger an early commit (rounds still close when full, on
    /// `.idle` and at barriers).
    public var isCaughtUp: Bool { false }
}
