import BinaryCoding
import Domain
import Foundation
import Testing

@Suite struct BinlogPositionTests {
    @Test func ordersByFileSequenceThenOffset() {
        let a = BinlogPosition(file: "mysql-bin.000009", pos: 900)
        let b = BinlogPosition(file: "mysql-bin.000010", pos: 4)
        let c = BinlogPosition(file: "mysql-bin.000010", pos: 5)
        // DM: binlog.CompareLocation compares the file suffix as a number, so a wider suffix still sorts later.
        let wide = BinlogPosition(file: "mysql-bin.1000000", pos: 4)
        #expect(a < b && b < c && c < wide)
        #expect([c, wide, a, b].sorted() == [a, b, c, wide])
    }

    @Test func parsesBothForms() throws {
        #expect(
            try BinlogPosition.parse("mysql-bin.000001:1234") == BinlogPosition(file: "mysql-bin.000001", pos: 1234)
        )
        #expect(try BinlogPosition.parse("(mysql-bin.000001, 4)") == BinlogPosition(file: "mysql-bin.000001", pos: 4))
        #expect(BinlogPosition(file: "mysql-bin.000001", pos: 4).description == "(mysql-bin.000001, 4)")
    }

    @Test(arguments: ["mysql-bin.000001", ":4", "f:x", "f:-1", "f:4294967296"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: PositionError.self) { try BinlogPosition.parse(text) }
    }

    @Test func roundTrips() throws {
        let p = BinlogPosition(file: "mysql-bin.000123", pos: 4_000_000_000)
        #expect(try BinlogPosition(decoding: p.encodedBytes()) == p)
        #expect(try JSONDecoder().decode(BinlogPosition.self, from: JSONEncoder().encode(p)) == p)
    }
}

@Suite struct MySQLGTIDSetTests {
    let u1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
    let u2 = "a0000000-0000-0000-0000-000000000001"

    @Test func parsesAndCanonicalizes() throws {
        let s = try MySQLGTIDSet.parse("\(u2):5,\n\(u1.uppercased()):7-9:1-5:6")
        // Adjacent intervals merge (1-5, 6, 7-9 -> 1-9); UUIDs are lowercased and sorted.
        #expect(s.description == "\(u1):1-9,\(u2):5")
        #expect(try MySQLGTIDSet.parse(s.description) == s)
        #expect(try MySQLGTIDSet.parse("").isEmpty)
    }

    @Test func containsAndUnion() throws {
        let a = try MySQLGTIDSet.parse("\(u1):1-5:7-9")
        let b = try MySQLGTIDSet.parse("\(u1):2-4:8")
        let c = try MySQLGTIDSet.parse("\(u1):5-7")
        #expect(a.contains(b))
        #expect(!a.contains(c))
        #expect(!b.contains(a))
        #expect(a.contains(uuid: u1, transaction: 9) && !a.contains(uuid: u1, transaction: 6))
        let u = a.union(c)
        #expect(u.description == "\(u1):1-9")
        #expect(u.contains(a) && u.contains(c))
        #expect(a.union(try MySQLGTIDSet.parse("\(u2):1")).contains(a))
        #expect(!a.contains(try MySQLGTIDSet.parse("\(u2):1")))
    }

    @Test(arguments: [
        "not-a-uuid:1-5", "3e11fa47-71ca-11e1-9e33-c80aa9429562", "3e11fa47-71ca-11e1-9e33-c80aa9429562:",
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:5-3", "3e11fa47-71ca-11e1-9e33-c80aa9429562:0-3",
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2-3", "3e11fa47-71ca-11e1-9e33-c80aa9429562:a",
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1,", "3e11fa47-71ca-11e1-9e33-c80aa9429562:tag:1-5",
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:99999999999999999999",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: PositionError.self) { try MySQLGTIDSet.parse(text) }
    }

    @Test func roundTrips() throws {
        let s = try MySQLGTIDSet.parse("\(u1):1-5:7-9,\(u2):1")
        #expect(try MySQLGTIDSet(decoding: s.encodedBytes()) == s)
        #expect(try JSONDecoder().decode(MySQLGTIDSet.self, from: JSONEncoder().encode(s)) == s)
    }
}

@Suite struct MariaDBGTIDSetTests {
    @Test func keepsPerDomainMaximum() throws {
        let s = try MariaDBGTIDSet.parse("1-2-50, 0-1-100,0-3-90")
        #expect(s.description == "0-1-100,1-2-50")
        #expect(try MariaDBGTIDSet.parse(s.description) == s)
    }

    @Test func containsAndUnion() throws {
        let a = try MariaDBGTIDSet.parse("0-1-100,1-2-50")
        let b = try MariaDBGTIDSet.parse("0-2-99")
        let c = try MariaDBGTIDSet.parse("1-2-51")
        #expect(a.contains(b))
        #expect(!a.contains(c))
        #expect(!b.contains(a))
        #expect(a.union(c).description == "0-1-100,1-2-51")
        #expect(a.union(try MariaDBGTIDSet.parse("2-1-1")).description == "0-1-100,1-2-50,2-1-1")
    }

    @Test(arguments: ["0-1", "0-1-2-3", "a-1-2", "0--2", "4294967296-1-1", "0-1-2,", "-1-2"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: PositionError.self) { try MariaDBGTIDSet.parse(text) }
    }

    @Test func roundTrips() throws {
        let s = try MariaDBGTIDSet.parse("0-1-100,7-2-50")
        #expect(try MariaDBGTIDSet(decoding: s.encodedBytes()) == s)
        #expect(try JSONDecoder().decode(MariaDBGTIDSet.self, from: JSONEncoder().encode(s)) == s)
    }
}

@Suite struct GTIDSetTests {
    @Test func flavorsDoNotMix() throws {
        let my = try GTIDSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5", flavor: .mysql)
        let maria = try GTIDSet.parse("0-1-5", flavor: .mariadb)
        #expect(!my.contains(maria) && !maria.contains(my))
        #expect(my.contains(.empty(.mysql)))
        #expect(throws: PositionError.self) { try my.union(maria) }
        #expect(try my.union(my) == my)
    }

    @Test func roundTrips() throws {
        for set in [
            try GTIDSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:9", flavor: .mysql),
            try GTIDSet.parse("0-1-5,3-3-3", flavor: .mariadb), GTIDSet.empty(.mysql),
        ] {
            #expect(try GTIDSet(decoding: set.encodedBytes()) == set)
            #expect(try JSONDecoder().decode(GTIDSet.self, from: JSONEncoder().encode(set)) == set)
        }
    }

    @Test func rejectsNonCanonicalBinary() {
        var w = ByteWriter()
        w.writeArray([MariaDBGTID(domain: 0, server: 1, sequence: 1), MariaDBGTID(domain: 0, server: 1, sequence: 2)])
        #expect(throws: BinaryDecodingError.self) { try MariaDBGTIDSet(decoding: w.bytes) }
    }
}
