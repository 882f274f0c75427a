import BraidTestSupport
import MySQLClient
import Testing

/// The server's current binlog end (`SHOW MASTER STATUS`).
func masterPosition(_ connection: MySQLConnection) async throws -> BinlogPosition {
    let row = try await connection.query("SHOW MASTER STATUS").rows[0]
    return BinlogPosition(file: row.string(0)!, position: UInt64(row.string(1)!)!)
}

/// Reads events until `stop` says so, failing (not hanging) after `timeout`.
func collect(
    _ stream: BinlogStream, timeout: Duration = .seconds(20), until stop: @escaping @Sendable ([BinlogEvent]) -> Bool
) async throws -> [BinlogEvent] {
    try await withThrowingTaskGroup(of: [BinlogEvent]?.self) { group in
        group.addTask {
            var events: [BinlogEvent] = []
            while !stop(events), let event = try await stream.next() { events.append(event) }
            return events
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let events = first else {
            stream.close()
            throw MySQLError(.cancelled, "timed out waiting for binlog events")
        }
        return events
    }
}

extension BinlogEvent.Kind {
    var name: String {
        switch self {
        case .rotate: "rotate"
        case .formatDescription: "fde"
        case .gtid: "gtid"
        case .gtidList: "gtidList"
        case .binlogCheckpoint: "checkpoint"
        case .query(let q): "query:" + q.statement.prefix(12)
        case .tableMap: "tableMap"
        case .rows(let r): "rows:\(r.kind)"
        case .xid: "xid"
        case .heartbeat: "heartbeat"
        case .annotateRows: "annotate"
        case .other(let code): "other:\(code)"
        }
    }
}

@Suite("BinlogStream against a real MariaDB", .serialized)
struct BinlogStreamTests {
    @Test("by file/pos: GTID+QUERY for DDL, GTID+TABLE_MAP+rows+XID for DML, positions advance, nil at EOF")
    func eventsInOrder() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            let start = try await masterPosition(connection)
            try await connection.execute("CREATE DATABASE s")
            try await connection.execute("CREATE TABLE s.t (id INT PRIMARY KEY, v VARCHAR(10))")
            _ = try await connection.withSession { (session) throws(MySQLError) in
                try session.transaction { (tx) throws(MySQLError) in
                    try tx.execute("INSERT INTO s.t VALUES (1, 'a'), (2, 'b')")
                    try tx.execute("UPDATE s.t SET v = 'c' WHERE id = 2")
                }
            }
            try await connection.execute("DELETE FROM s.t WHERE id = 1")
            let end = try await masterPosition(connection)

            let stream = try await BinlogStream.open(
                server.connectOptions(), .init(start: .position(start), serverID: 100, mode: .untilEnd, verifyChecksum: true))
            var events: [BinlogEvent] = []
            while let event = try await stream.next() { events.append(event) }
            #expect(try await stream.next() == nil)

            let names = events.map(\.kind.name)
            #expect(names == [
                "rotate", "fde",
                "gtid", "query:CREATE DATAB",
                "gtid", "query:CREATE TABLE",
                "gtid", "tableMap", "rows:insert", "tableMap", "rows:update", "xid",
                "gtid", "tableMap", "rows:delete", "xid",
            ])
            guard case .rotate(let rotate) = events[0].kind else { Issue.record("no rotate first"); return }
            #expect(rotate.isArtificial)
            #expect(rotate.file == start.file)
            #expect(rotate.position == start.position)
            if case .gtid(let ddl) = events[2].kind {
                #expect(ddl.flags.contains(.ddl))
                #expect(ddl.flags.contains(.standalone))
                #expect(ddl.gtid.serverID == 1)
            } else {
                Issue.record("expected a GTID event")
            }
            if case .gtid(let dml) = events[6].kind {
                #expect(!dml.flags.contains(.standalone))
                #expect(!dml.flags.contains(.ddl))
            }
            if case .query(let query) = events[3].kind {
                #expect(query.statement == "CREATE DATABASE s")
            }
            // Positions: strictly increasing after the artificial events, ending where the server is.
            let positions = events.dropFirst(2).map(\.position.position)
            #expect(positions == positions.sorted())
            #expect(Set(positions).count == positions.count)
            #expect(events.last?.position == end)
            #expect(events.allSatisfy { $0.position.file == start.file })

            // Rows decode with the table map carried along.
            guard case .rows(let insert) = events[8].kind, case .rows(let update) = events[10].kind,
                case .rows(let delete) = events[14].kind
            else { Issue.record("rows events missing"); return }
            #expect(insert.tableMap?.columns.compactMap(\.name) == ["id", "v"])
            #expect(insert.tableMap?.primaryKey == [0])
            #expect(try insert.decodeRows() == [
                .insert(RowImage(values: [.int(1), .bytes(Array("a".utf8))])),
                .insert(RowImage(values: [.int(2), .bytes(Array("b".utf8))])),
            ])
            #expect(try update.decodeRows() == [
                .update(before: RowImage(values: [.int(2), .bytes(Array("b".utf8))]), after: RowImage(values: [.int(2), .bytes(Array("c".utf8))]))
            ])
            #expect(try delete.decodeRows() == [.delete(RowImage(values: [.int(1), .bytes(Array("a".utf8))]))])
            stream.close()
            await connection.close()
        }
    }

    @Test("by GTID: resumes after the given transaction")
    func startByGTID() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            try await connection.execute("CREATE DATABASE g")
            try await connection.execute("CREATE TABLE g.t (id INT PRIMARY KEY)")
            try await connection.execute("INSERT INTO g.t VALUES (1)")
            let gtid = try await connection.query("SELECT @@gtid_binlog_pos").rows[0].string(0)!
            try await connection.execute("INSERT INTO g.t VALUES (2)")
            let parsed = try #require(MariaDBGTID(gtid))

            let stream = try await BinlogStream.open(server.connectOptions(), .init(start: .gtid(gtid), serverID: 101, mode: .untilEnd))
            var events: [BinlogEvent] = []
            while let event = try await stream.next() { events.append(event) }
            let gtids = events.compactMap { event -> GTIDEvent? in
                if case .gtid(let g) = event.kind { return g }
                return nil
            }
            #expect(gtids.map(\.gtid) == [MariaDBGTID(domain: parsed.domain, serverID: parsed.serverID, sequence: parsed.sequence + 1)])
            let lists = events.compactMap { event -> [MariaDBGTID]? in
                if case .gtidList(let list) = event.kind { return list }
                return nil
            }
            // The file's own GTID_LIST (empty: first binlog), then the server's artificial one with the start state.
            #expect(lists.last == [parsed])
            let inserted = events.compactMap { event -> [RowChange]? in
                if case .rows(let rows) = event.kind { return try? rows.decodeRows() }
                return nil
            }
            #expect(inserted == [[.insert(RowImage(values: [.int(2)]))]])
            // The file is learnt from the artificial ROTATE.
            #expect(events.last?.position.file.hasPrefix("mysql-bin.") == true)
            await connection.close()
        }
    }

    @Test("tail mode sees new events, follows FLUSH BINARY LOGS, surfaces heartbeats")
    func tailAndRotate() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            try await connection.execute("CREATE DATABASE r")
            try await connection.execute("CREATE TABLE r.t (id INT PRIMARY KEY)")
            let start = try await masterPosition(connection)
            let stream = try await BinlogStream.open(
                server.connectOptions(), .init(start: .position(start), serverID: 102, mode: .tail, heartbeatPeriod: .milliseconds(200)))
            // Written after the stream is open: the tail must pick them up.
            try await connection.execute("INSERT INTO r.t VALUES (1)")
            try await connection.execute("FLUSH BINARY LOGS")
            try await connection.execute("INSERT INTO r.t VALUES (2)")
            let events = try await collect(stream) { events in
                events.contains { if case .heartbeat = $0.kind { return true } else { return false } }
                    && events.filter { if case .rows = $0.kind { return true } else { return false } }.count == 2
            }
            stream.close()
            let rotations = events.compactMap { event -> RotateEvent? in
                if case .rotate(let r) = event.kind, !r.isArtificial { return r }
                return nil
            }
            let next = String(start.file.dropLast(6)) + String(format6(Int(start.file.suffix(6))! + 1))
            #expect(rotations.map(\.file) == [next])
            #expect(rotations.first?.position == 4)
            let rowPositions = events.compactMap { event -> BinlogPosition? in
                if case .rows = event.kind { return event.position }
                return nil
            }
            #expect(rowPositions.count == 2)
            #expect(rowPositions.first?.file == start.file)
            #expect(rowPositions.last?.file == next)
            let heartbeat = events.compactMap { event -> BinlogPosition? in
                if case .heartbeat(let at) = event.kind { return at }
                return nil
            }.last
            #expect(heartbeat?.file == next)
            #expect(try await stream.next() == nil)  // closed
            await connection.close()
        }
    }

    @Test("a killed upstream ends the tail with connectionLost")
    func lostConnection() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            let start = try await masterPosition(connection)
            await connection.close()
            let stream = try await BinlogStream.open(server.connectOptions(), .init(start: .position(start), serverID: 103, mode: .tail))
            _ = try await collect(stream) { $0.count >= 2 }  // rotate + format description
            try await server.kill()
            do throws(MySQLError) {
                while try await stream.next() != nil {}
                Issue.record("expected the stream to fail")
            } catch {
                #expect(error.code == .connectionLost)
            }
        }
    }

    @Test("close() wakes a blocked tail and releases the dump connection")
    func closeWhileBlocked() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            let start = try await masterPosition(connection)
            // Heartbeats make the idle dump thread write, which is when a server notices a closed replica.
            let stream = try await BinlogStream.open(
                server.connectOptions(), .init(start: .position(start), serverID: 105, mode: .tail, heartbeatPeriod: .milliseconds(100)))
            _ = try await collect(stream) { $0.count >= 2 }
            let dumpThreads = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'"
            #expect(try await connection.query(dumpThreads).rows[0].string(0) == "1")
            let reader = Task { try await stream.next() }  // blocks: nothing new is written
            try await Task.sleep(for: .milliseconds(50))  // not synchronisation: gives the reader a chance to block first
            stream.close()
            #expect(try await reader.value == nil)
            let released = try await eventually(timeout: .seconds(10)) {
                try await connection.query(dumpThreads).rows[0].string(0) == "0"
            }
            #expect(released)
            await connection.close()
        }
    }

    @Test("an unknown start file is a typed binlog error")
    func unknownFile() async throws {
        try await withMariaDBServer { server in
            let stream = try await BinlogStream.open(
                server.connectOptions(), .init(start: .position(.init(file: "mysql-bin.999999", position: 4)), serverID: 104, mode: .untilEnd))
            do throws(MySQLError) {
                while try await stream.next() != nil {}
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .binlog)
                #expect(error.serverErrno == 1236)
            }
        }
    }
}

private func format6(_ n: Int) -> String {
    let digits = String(n)
    return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}
