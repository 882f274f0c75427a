import BraidTestSupport
import CMariaDB
@testable import MySQLClient
import Testing

@Suite("RowDecoder without a server")
struct RowDecoderTests {
    func decodeOne(_ type: UInt8, metadata: [UInt8], body: [UInt8], unsigned: Bool = false) throws(MySQLError) -> MySQLValue {
        let map = try TableMap(tableID: 1, schema: "s", table: "t", columnTypes: [type], metadata: metadata, nullBitmap: [1])
        let event = RowsEvent(
            kind: .insert, typeCode: 23, tableID: 1, flags: 1, columnCount: 1, presentColumns: [1], presentColumnsAfter: nil,
            body: [0] + body, tableMap: map)
        let rows = try RowDecoder(tableMap: map, unsignedColumns: unsigned ? [0] : nil).decode(event)
        guard rows.count == 1, case .insert(let image) = rows[0] else { throw MySQLError(.decode, "expected one insert") }
        return image[0]
    }

    @Test("DECIMAL(14,4): the documented packed examples, both signs")
    func decimalExamples() throws {
        #expect(try self.decodeOne(246, metadata: [14, 4], body: [0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2]) == .decimal("1234567890.1234"))
        #expect(try self.decodeOne(246, metadata: [14, 4], body: [0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D]) == .decimal("-1234567890.1234"))
        // Zero with scale keeps its fraction digits and no sign.
        #expect(try self.decodeOne(246, metadata: [5, 2], body: [0x80, 0x00, 0x00]) == .decimal("0.00"))
    }

    @Test("integers: sign extension and unsigned override")
    func integers() throws {
        #expect(try self.decodeOne(9, metadata: [], body: [0xFF, 0xFF, 0xFF]) == .int(-1))
        #expect(try self.decodeOne(9, metadata: [], body: [0xFF, 0xFF, 0xFF], unsigned: true) == .uint(16_777_215))
        #expect(try self.decodeOne(8, metadata: [], body: [0, 0, 0, 0, 0, 0, 0, 0x80]) == .int(Int64.min))
    }

    @Test("truncated values name the table, column and byte offset")
    func truncation() {
        do {
            _ = try self.decodeOne(3, metadata: [], body: [1, 2])
            Issue.record("expected a decode error")
        } catch {
            #expect(error.code == .decode)
            #expect(error.message.contains("`s`.`t` column 0"))
            #expect(error.message.contains("at body byte 1"))
        }
    }

    @Test("SQLLiteral renders every kind exactly")
    func literals() throws {
        #expect(try SQLLiteral.render(.bytes([0, 0xFF]), charset: "latin1") == "_latin1 X'00FF'")
        #expect(try SQLLiteral.render(.bytes([0x61])) == "X'61'")
        #expect(try SQLLiteral.render(.time(MySQLTime(negative: true, hours: 838, minutes: 59, seconds: 59, microseconds: 1))) == "'-838:59:59.000001'")
        #expect(try SQLLiteral.render(.timestamp(seconds: 2_147_483_647, microseconds: 999_999)) == "'2038-01-19 03:14:07.999999'")
        #expect(try SQLLiteral.render(.timestamp(seconds: 951_782_400, microseconds: 0)) == "'2000-02-29 00:00:00'")
        #expect(try SQLLiteral.render(.date(MySQLDate(year: 1, month: 2, day: 3))) == "'0001-02-03'")
        #expect(try SQLLiteral.render(.float(0.1)) == "0.10000000149011612")
        #expect(try SQLLiteral.render(.uint(UInt64.max)) == "18446744073709551615")
        #expect(throws: MySQLError.self) { try SQLLiteral.render(.double(.nan)) }
        #expect(throws: MySQLError.self) { try SQLLiteral.render(.float(.infinity)) }
        #expect(throws: MySQLError.self) { try SQLLiteral.render(.decimal("1; DROP TABLE x")) }
    }
}

@Suite("RowDecoder fuzz: corrupted real events must throw or decode, never trap", .serialized)
struct RowDecoderFuzzTests {
    @Test("seeded corruption of real all-types rows events and table maps")
    func fuzz() async throws {
        var random = SeededRandom.fromEnvironment()
        // Printed up front: a trap kills the process before any failure message could be.
        print("RowDecoder fuzz seed: \(random.seed) (replay with BRAID_SEED=\(random.seed))")
        let samples = try await withMariaDBServer { server in
            let connection = try await server.connect(sessionVariables: [.init("time_zone", "'+08:00'")])
            try await connection.execute("CREATE DATABASE rt")
            try await connection.execute(AllTypesReplicationTests.createTable)
            let start = try await masterPosition(connection)
            for statement in AllTypesReplicationTests.workload { try await connection.execute(statement) }
            await connection.close()
            let stream = try await BinlogStream.open(server.connectOptions(), .init(start: .position(start), serverID: 901, mode: .untilEnd))
            var rows: [RowsEvent] = []
            for try await event in stream { if case .rows(let r) = event.kind { rows.append(r) } }
            return rows
        }
        #expect(samples.count >= 8)
        for sample in samples { _ = try sample.decodeRows() }  // the originals decode

        var decoded = 0
        var rejected = 0
        for iteration in 0..<20_000 {
            var event = samples[Int(random.next() % UInt64(samples.count))]
            var map = event.tableMap!
            switch random.next() % 6 {
            case 0:  // flip bytes
                for _ in 0..<(1 + random.next() % 8) where !event.body.isEmpty {
                    event.body[Int(random.next() % UInt64(event.body.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                }
            case 1:  // truncate
                event.body = Array(event.body.prefix(Int(random.next() % UInt64(event.body.count + 1))))
            case 2:  // random bitmaps
                event.presentColumns = event.presentColumns.map { _ in UInt8(truncatingIfNeeded: random.next()) }
                event.presentColumnsAfter = event.presentColumnsAfter?.map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 3:  // garbage body
                event.body = (0..<Int(random.next() % 600)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 4:  // corrupt the table map: types and metadata
                let types = map.columns.map { column in random.next() % 4 == 0 ? UInt8(truncatingIfNeeded: random.next()) : column.type }
                let metadata = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let nulls = (0..<(types.count + 7) / 8).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let optional = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                do throws(MySQLError) {
                    map = try TableMap(
                        tableID: map.tableID, schema: map.schema, table: map.table, columnTypes: types, metadata: metadata,
                        nullBitmap: nulls, optionalMetadata: optional)
                } catch {
                    rejected += 1
                    continue
                }
                event.tableMap = map
            default:  // wrong column count
                event.columnCount = Int(random.next() % 80)
            }
            do throws(MySQLError) {
                _ = try event.decodeRows(unsignedColumns: random.next() % 2 == 0 ? nil : [0, 3, 5])
                decoded += 1
            } catch {
                #expect(error.code == .decode, "seed \(random.seed) iteration \(iteration): \(error)")
                rejected += 1
            }
        }
        print("RowDecoder fuzz: \(decoded) decoded, \(rejected) rejected (seed \(random.seed))")
        #expect(rejected > 0)
        #expect(decoded > 0)
    }
}

/// MySQL's V2 UPDATE_ROWS (type 31) keeps the after-image bitmap at the start of the row data,
/// where libmariadb leaves it; MariaDB's V1 (type 24) has it split off. Both must decode alike.
@Suite("Rows event conversion from libmariadb's struct")
struct RowsEventConversionTests {
    func convert(typeCode: UInt32, updateBitmap: Bool, rowData: [UInt8]) throws -> RowsEvent {
        let event = UnsafeMutablePointer<MARIADB_RPL_EVENT>.allocate(capacity: 1)
        let rpl = UnsafeMutablePointer<MARIADB_RPL>.allocate(capacity: 1)
        defer {
            event.deallocate()
            rpl.deallocate()
        }
        UnsafeMutableRawPointer(event).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<MARIADB_RPL_EVENT>.size)
        UnsafeMutableRawPointer(rpl).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<MARIADB_RPL>.size)
        var bitmap: [UInt8] = [1]
        var after: [UInt8] = [1]
        var data = rowData
        return try bitmap.withUnsafeMutableBufferPointer { bitmap in
            try after.withUnsafeMutableBufferPointer { after in
                try data.withUnsafeMutableBytes { data in
                    event.pointee.event_type = mariadb_rpl_event(rawValue: typeCode)
                    event.pointee.next_event_pos = 100
                    event.pointee.event.rows.table_id = 7
                    event.pointee.event.rows.column_count = 1
                    event.pointee.event.rows.column_bitmap = bitmap.baseAddress
                    event.pointee.event.rows.column_update_bitmap = updateBitmap ? after.baseAddress : nil
                    event.pointee.event.rows.row_data = data.baseAddress
                    event.pointee.event.rows.row_data_size = data.count
                    var converter = BinlogEventConverter(position: BinlogPosition(file: "f", position: 4), rpl: rpl, checksummed: true)
                    converter.tableMaps[7] = try TableMap(
                        tableID: 7, schema: "s", table: "t", columnTypes: [3], metadata: [], nullBitmap: [0])
                    guard case .rows(let rows) = try converter.convert(event).kind else { throw MySQLError(.decode, "not rows") }
                    return rows
                }
            }
        }
    }

    @Test("V1 and V2 updates give the same (before, after) pair")
    func updates() throws {
        let images: [UInt8] = [0, 1, 0, 0, 0, 0, 2, 0, 0, 0]  // null bitmap + INT 1, null bitmap + INT 2
        let expected: [RowChange] = [.update(before: RowImage(values: [.int(1)]), after: RowImage(values: [.int(2)]))]
        let v1 = try self.convert(typeCode: 24, updateBitmap: true, rowData: images)
        let v2 = try self.convert(typeCode: 31, updateBitmap: false, rowData: [1] + images)
        #expect(try v1.decodeRows() == expected)
        #expect(try v2.decodeRows() == expected)
        #expect(v2.kind == .update)
        #expect(v2.typeCode == 31)
    }
}
