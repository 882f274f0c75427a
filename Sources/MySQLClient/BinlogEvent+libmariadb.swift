import CMariaDB

/// Copies a fetched `MARIADB_RPL_EVENT` into Swift values. Runs on the stream's reader thread
/// while the C event is valid; nothing returned points into C memory.
struct BinlogEventConverter {
    /// The current binlog file (from ROTATE) and offset (from header next-positions).
    var position: BinlogPosition
    /// Table maps by table id, attached to the rows events that follow them.
    var tableMaps: [UInt64: TableMap] = [:]
    /// The raw body each table map was parsed from, to recognise repeats.
    var tableMapBytes: [UInt64: (raw: [UInt8], map: TableMap)] = [:]
    /// From the format description's server version; MariaDB and MySQL differ in table-map details.
    var isMariaDB = true
    let rpl: UnsafeMutablePointer<MARIADB_RPL>
    /// Whether events end in a 4-byte CRC32 (the server's `binlog_checksum`, as negotiated).
    /// Known before the format description, unlike libmariadb's own flag.
    let checksummed: Bool

    mutating func convert(_ event: UnsafeMutablePointer<MARIADB_RPL_EVENT>) throws(MySQLError) -> BinlogEvent {
        let e = event.pointee
        let typeCode = UInt8(truncatingIfNeeded: e.event_type.rawValue)
        let header = BinlogEventHeader(
            timestamp: e.timestamp, typeCode: typeCode, serverID: e.server_id, eventSize: e.event_length,
            nextPosition: e.next_event_pos, flags: e.flags)
        let kind: BinlogEvent.Kind
        switch typeCode {
        case 4:  // ROTATE: parsed from the raw body (libmariadb 3.3 misreads non-artificial rotates)
            let body = self.rawBody(event)
            guard body.count >= 8 else { throw MySQLError(.decode, "ROTATE event shorter than its post-header") }
            let rotate = RotateEvent(
                file: String(decoding: body[8...], as: UTF8.self), position: littleEndian(body, 0, 8),
                isArtificial: header.isArtificial || header.timestamp == 0)
            self.position = BinlogPosition(file: rotate.file, position: rotate.position)
            kind = .rotate(rotate)
        case 15:  // FORMAT_DESCRIPTION
            let fd = e.event.format_description
            let description = FormatDescriptionEvent(binlogVersion: fd.format, serverVersion: boundedCString(fd.server_version, max: 50))
            self.isMariaDB = description.serverVersion.contains("MariaDB")
            kind = .formatDescription(description)
        case 162:  // GTID (MariaDB)
            let g = e.event.gtid
            let flags = GTIDEvent.Flags(rawValue: g.flags)
            kind = .gtid(GTIDEvent(
                gtid: MariaDBGTID(domain: g.domain_id, serverID: e.server_id, sequence: g.sequence_nr), flags: flags,
                commitID: flags.contains(.groupCommitID) ? g.commit_id : nil))
        case 163:  // GTID_LIST: count (low 28 bits; the top 4 are flags), then 16 bytes per GTID
            let body = self.rawBody(event)
            guard body.count >= 4 else { throw MySQLError(.decode, "GTID_LIST event shorter than its post-header") }
            let count = Int(littleEndian(body, 0, 4) & 0x0FFF_FFFF)
            guard body.count >= 4 + count * 16 else { throw MySQLError(.decode, "GTID_LIST event truncated (\(count) GTIDs)") }
            kind = .gtidList((0..<count).map { index in
                let at = 4 + index * 16
                return MariaDBGTID(
                    domain: UInt32(littleEndian(body, at, 4)), serverID: UInt32(littleEndian(body, at + 4, 4)),
                    sequence: littleEndian(body, at + 8, 8))
            })
        case 161:  // BINLOG_CHECKPOINT
            kind = .binlogCheckpoint(file: string(e.event.checkpoint.filename))
        case 2:  // QUERY
            let q = e.event.query
            kind = .query(QueryEvent(
                threadID: q.thread_id, executionSeconds: q.seconds, errorCode: q.errornr, schema: string(q.database),
                statementBytes: bytes(q.statement)))
        case 16:  // XID
            kind = .xid(e.event.xid.transaction_nr)
        case 160:  // ANNOTATE_ROWS
            kind = .annotateRows(string(e.event.annotate_rows.statement))
        case 27:  // HEARTBEAT
            let body = self.rawBody(event)
            kind = .heartbeat(BinlogPosition(file: String(decoding: body, as: UTF8.self), position: UInt64(e.next_event_pos)))
        case 19:  // TABLE_MAP
            // Every transaction repeats its table maps; an unchanged one is reused, not re-parsed.
            let raw = self.rawBody(event)
            if let known = self.tableMapBytes[e.event.table_map.table_id], known.raw == raw {
                self.tableMaps[known.map.tableID] = known.map
                kind = .tableMap(known.map)
            } else {
                let map = try self.tableMap(event)
                if self.tableMapBytes.count >= 4096 {
                    // Table ids keep growing (every ALTER or re-open makes a new one): bound the caches. Rows
                    // events only refer to table maps of their own event group, which follow.
                    self.tableMapBytes.removeAll(keepingCapacity: true)
                    self.tableMaps.removeAll(keepingCapacity: true)
                }
                self.tableMaps[map.tableID] = map
                self.tableMapBytes[map.tableID] = (raw, map)
                kind = .tableMap(map)
            }
        case 23, 24, 25, 30, 31, 32, 166, 167, 168:
            kind = .rows(try self.rows(event, typeCode: typeCode))
        default:
            kind = .other(typeCode: typeCode)
        }
        if typeCode != 4 && typeCode != 27 && header.nextPosition != 0 && !header.isArtificial {
            self.position.position = UInt64(header.nextPosition)
        }
        return BinlogEvent(header: header, kind: kind, position: self.position)
    }

    /// The event's bytes after the 19-byte common header, without the trailing checksum.
    private func rawBody(_ event: UnsafeMutablePointer<MARIADB_RPL_EVENT>) -> [UInt8] {
        guard let raw = event.pointee.raw_data else { return [] }
        let start = event.pointee.raw_data_ofs + 19
        let end = event.pointee.raw_data_size - (self.checksummed ? 4 : 0)
        guard start <= end else { return [] }
        return Array(UnsafeBufferPointer(start: raw + start, count: end - start))
    }

    private func tableMap(_ event: UnsafeMutablePointer<MARIADB_RPL_EVENT>) throws(MySQLError) -> TableMap {
        let t = event.pointee.event.table_map
        let count = Int(t.column_count)
        let nullSize = (count + 7) / 8
        // Optional metadata: what follows the null bitmap up to the checksum. libmariadb keeps
        // only pieces of it (and a one-byte default charset), so it is parsed here from the raw event.
        var optional: [UInt8] = []
        if let raw = event.pointee.raw_data, let nulls = t.null_indicator {
            let end = raw + event.pointee.raw_data_size - (self.rpl.pointee.use_checksum != 0 ? 4 : 0)
            let start = nulls + nullSize
            if start >= raw && start < end { optional = Array(UnsafeBufferPointer(start: start, count: end - start)) }
        }
        return try TableMap(
            tableID: t.table_id, schema: string(t.database), table: string(t.table), columnTypes: bytes(t.column_types),
            metadata: bytes(t.metadata),
            nullBitmap: t.null_indicator.map { Array(UnsafeBufferPointer(start: $0, count: nullSize)) } ?? [],
            optionalMetadata: optional, mariaDB: self.isMariaDB)
    }

    private func rows(_ event: UnsafeMutablePointer<MARIADB_RPL_EVENT>, typeCode: UInt8) throws(MySQLError) -> RowsEvent {
        let r = event.pointee.event.rows
        let count = Int(r.column_count)
        let bitmapSize = (count + 7) / 8
        let kind: RowsEvent.Kind
        switch typeCode {
        case 23, 30, 166: kind = .insert
        case 24, 31, 167: kind = .update
        default: kind = .delete
        }
        var body = r.row_data.map { Array(UnsafeRawBufferPointer(start: $0, count: r.row_data_size)) } ?? []
        var after: [UInt8]? = r.column_update_bitmap.map { Array(UnsafeBufferPointer(start: $0, count: bitmapSize)) }
        if kind == .update && after == nil {
            // libmariadb splits off the after-image bitmap only for MariaDB's V1 update events;
            // in MySQL's V2 it is still the start of the row data.
            guard body.count >= bitmapSize else {
                throw MySQLError(.decode, "UPDATE_ROWS event for table id \(r.table_id) is shorter than its column bitmap")
            }
            after = Array(body[..<bitmapSize])
            body.removeFirst(bitmapSize)
        }
        return RowsEvent(
            kind: kind, typeCode: typeCode, tableID: r.table_id, flags: r.flags, columnCount: count,
            presentColumns: r.column_bitmap.map { Array(UnsafeBufferPointer(start: $0, count: bitmapSize)) } ?? [],
            presentColumnsAfter: after, body: body, tableMap: self.tableMaps[r.table_id])
    }
}

private func littleEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in 0..<count { value |= UInt64(bytes[offset + index]) << (8 * index) }
    return value
}

private func bytes(_ s: MARIADB_STRING) -> [UInt8] {
    guard let str = s.str, s.length > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: str, count: s.length))
}

private func string(_ s: MARIADB_STRING) -> String {
    guard let str = s.str, s.length > 0 else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: str, count: s.length), as: UTF8.self)
}

/// A NUL-terminated string of at most `max` bytes (fixed-width, zero-padded event fields).
private func boundedCString(_ pointer: UnsafeMutablePointer<CChar>?, max: Int) -> String {
    guard let pointer else { return "" }
    var length = 0
    while length < max && pointer[length] != 0 { length += 1 }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
}
