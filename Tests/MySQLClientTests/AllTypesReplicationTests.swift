import BraidTestSupport
import MySQLClient
import Testing

/// The acceptance test: every column type goes upstream → binlog → Swift decoder → SQLLiteral →
/// downstream, and both tables must then read back identically.
@Suite("All types: binlog decode + SQL literal round trip", .serialized)
struct AllTypesReplicationTests {
    static let bigEnum = (1...300).map { "'v\($0)'" }.joined(separator: ",")
    static let bigSet = (1...64).map { "'m\($0)'" }.joined(separator: ",")

    /// Signed/unsigned and other numerics interleaved with YEAR, BIT, DECIMAL, FLOAT so a wrong
    /// signedness bitmap (which columns it covers, bit order) shows up as wrong values.
    static let createTable = """
        CREATE TABLE rt.all_types (
          id INT NOT NULL PRIMARY KEY,
          y YEAR NULL, b1 BIT(1) NULL, e ENUM('a','b','c') NULL,
          ti TINYINT NULL, tiu TINYINT UNSIGNED NULL, d1 DECIMAL(10,2) NULL,
          si SMALLINT NULL, siu SMALLINT UNSIGNED NULL, f FLOAT NULL,
          mi MEDIUMINT NULL, miu MEDIUMINT UNSIGNED NULL, dbl DOUBLE NULL,
          i INT NULL, iu INT UNSIGNED NULL, d2 DECIMAL(65,30) NULL,
          bi BIGINT NULL, biu BIGINT UNSIGNED NULL, d3 DECIMAL(20,6) UNSIGNED NULL, d4 DECIMAL(5,0) NULL,
          c CHAR(10) CHARACTER SET utf8mb4 NULL, c255 CHAR(255) CHARACTER SET utf8mb4 NULL,
          vc VARCHAR(50) CHARACTER SET utf8mb4 NULL, vc2 VARCHAR(300) CHARACTER SET utf8mb4 NULL,
          t TEXT CHARACTER SET utf8mb4 NULL, tt TINYTEXT CHARACTER SET utf8mb4 NULL,
          mt MEDIUMTEXT CHARACTER SET utf8mb4 NULL, lt LONGTEXT CHARACTER SET utf8mb4 NULL,
          cl CHAR(10) CHARACTER SET latin1 NULL, vcl VARCHAR(20) CHARACTER SET latin1 NULL, tl TEXT CHARACTER SET latin1 NULL,
          bn BINARY(8) NULL, vb VARBINARY(20) NULL, bl BLOB NULL, tbl TINYBLOB NULL, mbl MEDIUMBLOB NULL, lbl LONGBLOB NULL,
          e2 ENUM(\(bigEnum)) NULL, st SET('x','y','z') NULL, st64 SET(\(bigSet)) NULL,
          b64 BIT(64) NULL, b10 BIT(10) NULL,
          dt DATE NULL,
          tm0 TIME NULL, tm1 TIME(1) NULL, tm2 TIME(2) NULL, tm3 TIME(3) NULL, tm4 TIME(4) NULL, tm5 TIME(5) NULL, tm6 TIME(6) NULL,
          dtm DATETIME(6) NULL, dtm0 DATETIME NULL, dtm3 DATETIME(3) NULL,
          ts TIMESTAMP(6) NULL, ts0 TIMESTAMP NULL, ts2 TIMESTAMP(2) NULL,
          j JSON NULL, g GEOMETRY NULL, p POINT NULL
        ) ENGINE=InnoDB
        """

    static let columns = """
        id, y, b1, e, ti, tiu, d1, si, siu, f, mi, miu, dbl, i, iu, d2, bi, biu, d3, d4, c, c255, vc, vc2, t, tt, mt, lt, \
        cl, vcl, tl, bn, vb, bl, tbl, mbl, lbl, e2, st, st64, b64, b10, dt, tm0, tm1, tm2, tm3, tm4, tm5, tm6, \
        dtm, dtm0, dtm3, ts, ts0, ts2, j, g, p
        """

    /// Upstream DML, run with `time_zone='+08:00'` (TIMESTAMPs are UTC in the binlog regardless).
    static let workload: [String] = [
        // minimums, negatives
        """
        INSERT INTO rt.all_types (\(columns)) VALUES (1, 1901, b'0', 'a', -128, 0, -99999999.99, -32768, 0, -3.40282e38,
          -8388608, 0, -1.7976931348623157e308, -2147483648, 0,
          -12345678901234567890123456789012345.123456789012345678901234567890,
          -9223372036854775808, 0, 0.000001, -99999, 'abc', REPEAT('é', 255), 'hello', REPEAT('漢', 300),
          'text 😀', 'tiny', 'medium', 'long', _latin1 X'E9FFC0', _latin1 X'A3B5', _latin1 X'DFF8',
          X'0001020300', X'00FF00', X'000102', X'00', X'FF00FF', X'00000000',
          'v1', 'x,z', 'm1', 0, b'0000000001', '1000-01-01',
          '-838:59:59', '-00:00:00.1', '-01:02:03.45', '-838:59:58.999', '-12:34:56.7891', '-00:00:00.00001', '-00:00:00.000001',
          '1000-01-01 00:00:00.000000', '1000-01-01 00:00:00', '1000-01-01 00:00:00.001',
          '1970-01-01 08:00:01.000000', '1970-01-01 08:00:01', '1970-01-01 08:00:01.01',
          '{"a": [1, 2, "😀"], "b": null}', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 5)'), ST_GeomFromText('POINT(-1.5 2.25)'))
        """,
        // maximums
        """
        INSERT INTO rt.all_types (\(columns)) VALUES (2, 2155, b'1', 'c', 127, 255, 99999999.99, 32767, 65535, 1.17549e-38,
          8388607, 16777215, 2.2250738585072014e-308, 2147483647, 4294967295,
          99999999999999999999999999999999999.999999999999999999999999999999,
          9223372036854775807, 18446744073709551615, 99999999999999.999999, 99999, '漢字😀', 'x', '😀😀', '',
          '', '', REPEAT('ü', 70000), REPEAT('x', 300000), '', '', '',
          X'FFFFFFFFFFFFFFFF', '', '', '', '', '',
          'v300', 'x,y,z', \((1...64).map { "m\($0)" }.joined(separator: ",").sqlQuoted), 18446744073709551615, b'1111111111',
          '9999-12-31',
          '838:59:59', '838:59:58.9', '838:59:58.99', '838:59:58.999', '838:59:58.9999', '838:59:58.99999', '838:59:58.999999',
          '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999',
          '2038-01-19 11:14:07.999999', '2038-01-19 11:14:07', '2038-01-19 11:14:07.99',
          '[]', ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 4, 0 0))'), ST_GeomFromText('POINT(1e300 -1e-300)'))
        """,
        // all NULL
        "INSERT INTO rt.all_types (id) VALUES (3)",
        // odds and ends in one multi-row statement
        """
        INSERT INTO rt.all_types (\(columns)) VALUES (4, 0, b'1', 'b', 0, 1, 0.00, -1, 1, 0, -1, 1, -0.0, -1, 1,
          -0.000000000000000000000000000001, -1, 1, 0, 0, 'a\\0b', 'ü', 'tab\\tquote\\'', 'x',
          'nul\\0inside', '😀', '漢', '', 'x', 'y', 'z',
          X'00', X'', X'', X'', X'', X'',
          'v255', '', '', 1, b'0', '2024-02-29',
          '00:00:00', '00:00:00.0', '-00:00:00.5', '00:00:00.5', '-00:00:01.0001', '10:00:00.12345', '-00:59:59.999999',
          '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56', '2024-02-29 12:34:56.789',
          '2024-02-29 20:34:56.654321', '2024-02-29 20:34:56', '2024-02-29 20:34:56.5',
          '{}', NULL, NULL),
          (5, 2000, NULL, NULL, 5, 5, 5.05, 5, 5, 0.1, 5, 5, 0.1, 5, 5, 5.5, 5, 5, 5, 5, \(Array(repeating: "NULL", count: 39).joined(separator: ", ")))
        """,
        // updates: NULL → values, values → NULL, several rows in one statement
        "UPDATE rt.all_types SET c = 'now set', tm6 = '-00:00:00.000001', ts = '2001-02-03 12:05:06.789012', biu = 42, d2 = -1 WHERE id = 3",
        "UPDATE rt.all_types SET j = NULL, g = NULL, st = 'y', e2 = 'v2', f = f / 2, dbl = dbl / 3 WHERE id IN (1, 2)",
        "UPDATE rt.all_types SET vc = CONCAT(IFNULL(vc, ''), '✓'), tiu = IFNULL(tiu, 0) + 1 WHERE id >= 4",
        // deletes
        "DELETE FROM rt.all_types WHERE id = 5",
        "DELETE FROM rt.all_types WHERE id = 1",
    ]

    @Test("binlog_row_metadata=FULL: signedness from the table map")
    func fullMetadata() async throws {
        try await self.roundTrip(.full, supplyUnsigned: false)
    }

    @Test("binlog_row_metadata=NO_LOG: signedness supplied by the caller")
    func noLogMetadata() async throws {
        try await self.roundTrip(.noLog, supplyUnsigned: true)
    }

    func roundTrip(_ metadata: MariaDBServer.Configuration.RowMetadata, supplyUnsigned: Bool) async throws {
        try await withMariaDBServer(.init(rowMetadata: metadata, serverID: 1)) { upstream in
            try await withMariaDBServer(.init(serverID: 2)) { downstream in
                let source = try await upstream.connect(sessionVariables: [.init("time_zone", "'+08:00'")])
                let target = try await downstream.connect(sessionVariables: [.init("time_zone", "'+00:00'")])
                for connection in [source, target] {
                    try await connection.execute("CREATE DATABASE rt")
                    try await connection.execute(Self.createTable)
                }
                let start = try await masterPosition(source)
                for statement in Self.workload { try await source.execute(statement) }

                // Per-column charset and signedness, as the pipeline learns them from the schema.
                let info = try await source.query("""
                    SELECT ORDINAL_POSITION, CHARACTER_SET_NAME, COLUMN_TYPE, COLUMN_NAME FROM information_schema.COLUMNS
                    WHERE TABLE_SCHEMA = 'rt' AND TABLE_NAME = 'all_types' ORDER BY ORDINAL_POSITION
                    """)
                let charsets = info.rows.map { $0.string(1) }
                let names = info.rows.map { $0.string(3)! }
                let unsigned = Set(info.rows.enumerated().filter { $0.element.string(2)!.contains("unsigned") }.map(\.offset))

                let stream = try await BinlogStream.open(
                    upstream.connectOptions(), .init(start: .position(start), serverID: 900, mode: .untilEnd))
                var decoders: [UInt64: RowDecoder] = [:]
                var applied = 0
                for try await event in stream {
                    guard case .rows(let rows) = event.kind, let map = rows.tableMap else { continue }
                    if metadata == .full {
                        #expect(map.columns.compactMap(\.name) == names)
                        // MariaDB flags YEAR unsigned too (it is an unsigned TINYINT underneath).
                        let years = Set(info.rows.enumerated().filter { $0.element.string(2)!.hasPrefix("year") }.map(\.offset))
                        #expect(Set(map.columns.indices.filter { map.columns[$0].isUnsigned == true }) == unsigned.union(years))
                    } else {
                        #expect(map.columns.allSatisfy { $0.name == nil && $0.isUnsigned == nil })
                    }
                    let decoder = try decoders[map.tableID] ?? RowDecoder(tableMap: map, unsignedColumns: supplyUnsigned ? unsigned : nil)
                    decoders[map.tableID] = decoder
                    for change in try decoder.decode(rows) {
                        try await target.execute(try Self.sql(for: change, names: names, charsets: charsets))
                        applied += 1
                    }
                }
                #expect(applied == 5 + 1 + 2 + 2 + 2)

                let query = "SELECT * FROM rt.all_types ORDER BY id"
                for zone in ["'+00:00'", "'-07:00'"] {
                    try await source.execute("SET time_zone = \(zone)")
                    try await target.execute("SET time_zone = \(zone)")
                    let expected = try await source.query(query)
                    let actual = try await target.query(query)
                    #expect(expected.rows.count == 3)
                    #expect(actual.rows.count == expected.rows.count)
                    for (want, got) in zip(expected.rows, actual.rows) {
                        for column in 0..<want.count where want[column] != got[column] {
                            Issue.record("row id=\(want.string(0) ?? "?") column \(names[column]): upstream \(describe(want[column])), downstream \(describe(got[column]))")
                        }
                    }
                }
                let checksumSQL = "CHECKSUM TABLE rt.all_types EXTENDED"
                let sourceSum = try await source.query(checksumSQL).rows[0].string(1)
                let targetSum = try await target.query(checksumSQL).rows[0].string(1)
                #expect(sourceSum != nil)
                #expect(sourceSum == targetSum)
                await source.close()
                await target.close()
            }
        }
    }

    static func sql(for change: RowChange, names: [String], charsets: [String?]) throws(MySQLError) -> String {
        let table = SQLEscape.qualified("rt", "all_types")
        func values(_ image: RowImage) throws(MySQLError) -> [String] {
            var out: [String] = []
            for (index, value) in image.values.enumerated() { out.append(try SQLLiteral.render(value, charset: charsets[index])) }
            return out
        }
        switch change {
        case .insert(let row):
            return "INSERT INTO \(table) (\(names.map(SQLEscape.identifier).joined(separator: ", "))) VALUES (\(try values(row).joined(separator: ", ")))"
        case .update(let before, let after):
            let assignments = zip(names, try values(after)).map { "\(SQLEscape.identifier($0)) = \($1)" }.joined(separator: ", ")
            return "UPDATE \(table) SET \(assignments) WHERE `id` = \(try SQLLiteral.render(before[0]))"
        case .delete(let row):
            return "DELETE FROM \(table) WHERE `id` = \(try SQLLiteral.render(row[0]))"
        }
    }
}

private func describe(_ value: [UInt8]?) -> String {
    guard let value else { return "NULL" }
    let text = String(decoding: value.prefix(80), as: UTF8.self)
    return "'\(text)' (\(value.count) bytes)"
}

extension String {
    var sqlQuoted: String { SQLEscape.stringLiteral(self) }
}
