public import Domain
public import MySQLClient
import Synchronization

/// Reads an upstream's binlog with `BinlogStream` and frames it into transactions and DDLs.
public struct BinlogUpstreamReader: UpstreamReader {
    public var connection: MySQLConnectOptions
    public var serverID: UInt32
    /// How often an idle upstream sends a heartbeat: the longest a finished round waits to commit.
    public var heartbeat: Duration
    public var mode: BinlogStreamOptions.Mode

    public init(
        connection: MySQLConnectOptions, serverID: UInt32, heartbeat: Duration = .milliseconds(100),
        mode: BinlogStreamOptions.Mode = .tail
    ) {
        self.connection = connection
        self.serverID = serverID
        self.heartbeat = heartbeat
        self.mode = mode
    }

    public func open(at position: BinlogPosition, gtid: String?) async throws(ReplicationError) -> any UpstreamEventStream {
        let options = BinlogStreamOptions(
            start: .position(MySQLClient.BinlogPosition(file: position.file, position: UInt64(position.pos))),
            serverID: self.serverID, mode: self.mode, heartbeatPeriod: self.heartbeat)
        do {
            let stream = try await BinlogStream.open(self.connection, options)
            return BinlogTransactionStream(stream: stream, start: position, gtid: gtid)
        } catch {
            throw ReplicationError(.upstream, "opening the binlog at \(position): \(error)", position: position)
        }
    }
}

/// Frames binlog events: GTID … XID is a transaction, a lone QUERY is a DDL. One consumer at a time.
final class BinlogTransactionStream: UpstreamEventStream, @unchecked Sendable {
    private let stream: BinlogStream
    // Touched only by the single consumer of `next()`.
    private var buffered: [BinlogEvent] = []
    private var index = 0
    private var last: BinlogPosition
    private var transactionStart: BinlogPosition?
    private var rows: [UpstreamRows] = []
    private var domains: [UInt32: MySQLClient.MariaDBGTID] = [:]

    init(stream: BinlogStream, start: BinlogPosition, gtid: String?) {
        self.stream = stream
        self.last = start
        for part in (gtid ?? "").split(separator: ",") {
            if let id = MySQLClient.MariaDBGTID(part.trimmingCharacters(in: .whitespaces)) { self.domains[id.domain] = id }
        }
    }

    func close() async { self.stream.close() }

    /// The batch in hand is used up and the binlog reader has nothing more buffered.
    var isCaughtUp: Bool { self.index >= self.buffered.count && !self.stream.hasBufferedEvents }

    private var gtidText: String? {
        self.domains.isEmpty ? nil : self.domains.keys.sorted().map { "\(self.domains[$0]!)" }.joined(separator: ",")
    }

    func next() async throws(ReplicationError) -> UpstreamEvent? {
        while true {
            if self.index >= self.buffered.count {
                do {
                    self.buffered = try await self.stream.nextBatch()
                } catch {
                    throw ReplicationError(.upstream, "reading the binlog after \(self.last): \(error)", position: self.last)
                }
                self.index = 0
                if self.buffered.isEmpty { return nil }
            }
            let event = self.buffered[self.index]
            self.index += 1
            let before = self.last
            let after = BinlogPosition(file: event.position.file, pos: UInt32(truncatingIfNeeded: event.position.position))
            if !event.header.isArtificial, case .heartbeat = event.kind {} else if !event.position.file.isEmpty {
                self.last = after
            }
            switch event.kind {
            case .gtid(let gtid):
                self.transactionStart = before
                self.rows = []
                self.domains[gtid.gtid.domain] = gtid.gtid
            case .gtidList(let list):
                for id in list where (self.domains[id.domain]?.sequence ?? 0) < id.sequence { self.domains[id.domain] = id }
            case .query(let query):
                let text = query.statement.trimmingCharacters(in: .whitespacesAndNewlines)
                switch text.uppercased() {
                case "BEGIN":
                    if self.transactionStart == nil { self.transactionStart = before }
                case "COMMIT":
                    if let event = self.finishTransaction(end: after) { return event }
                default:
                    // A DDL commits implicitly and is its own event group.
                    let start = self.transactionStart ?? before
                    self.transactionStart = nil
                    self.rows = []
                    return .ddl(UpstreamDDL(schema: query.schema, statement: text, start: start, end: after, gtid: self.gtidText))
                }
            case .rows(let rowsEvent):
                guard let map = rowsEvent.tableMap else {
                    throw ReplicationError(
                        .upstream, "rows event for table id \(rowsEvent.tableID) without its TABLE_MAP", position: before)
                }
                if self.transactionStart == nil { self.transactionStart = before }
                let table = TableName(map.schema, map.table)
                let at = before
                self.rows.append(
                    UpstreamRows(
                        table: table, kind: Self.kind(rowsEvent.kind), columnCount: rowsEvent.columnCount,
                        decode: { (unsigned) throws(ReplicationError) -> [[MySQLValue]] in
                            try Self.decode(rowsEvent, unsigned: unsigned, table: table, at: at)
                        }))
            case .xid:
                if let event = self.finishTransaction(end: after) { return event }
            case .heartbeat:
                if self.transactionStart == nil { return .idle }
            case .rotate, .formatDescription, .binlogCheckpoint, .tableMap, .annotateRows, .other:
                break
            }
        }
    }

    private func finishTransaction(end: BinlogPosition) -> UpstreamEvent? {
        defer {
            self.transactionStart = nil
            self.rows = []
        }
        guard let start = self.transactionStart else { return nil }
        return .transaction(UpstreamTransaction(rows: self.rows, start: start, end: end, gtid: self.gtidText))
    }

    private static func kind(_ kind: RowsEvent.Kind) -> UpstreamRows.Kind {
        switch kind {
        case .insert: return .insert
        case .update: return .update
        case .delete: return .delete
        }
    }

    private static func decode(
        _ event: RowsEvent, unsigned: [Bool]?, table: TableName, at position: BinlogPosition
    ) throws(ReplicationError) -> [[MySQLValue]] {
        let unsignedColumns = unsigned.map { flags in Set(flags.indices.filter { flags[$0] }) }
        let changes: [MySQLClient.RowChange]
        do {
            changes = try event.decodeRows(unsignedColumns: unsignedColumns)
        } catch {
            throw ReplicationError(.schemaMismatch, "decoding rows of \(table): \(error)", position: position)
        }
        var images: [[MySQLValue]] = []
        images.reserveCapacity(changes.count)
        for change in changes {
            switch change {
            case .insert(let image), .delete(let image):
                guard image.present == nil else { throw Self.partialImage(table, position) }
                images.append(image.values)
            case .update(let before, let after):
                guard before.present == nil, after.present == nil else { throw Self.partialImage(table, position) }
                images.append(before.values)
                images.append(after.values)
            }
        }
        return images
    }

    private static func partialImage(_ table: TableName, _ position: BinlogPosition) -> ReplicationError {
        ReplicationError(
            .configuration, "rows of \(table) carry a partial image: set binlog_row_image=FULL on the source",
            position: position)
    }
}
