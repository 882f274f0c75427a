import Domain
import MySQLClient
import Schema
import Testing

@testable import Replication

@Suite struct DMLBuilderTests {
    static let info = TableInfo(
        schema: "db", table: "t",
        columns: [
            ColumnInfo(name: "id", type: ColumnType(.int), nullable: false),
            ColumnInfo(name: "name", type: ColumnType(.varchar, length: 20), charset: "utf8mb4"),
            ColumnInfo(
                name: "twice", type: ColumnType(.int), generated: GeneratedColumn(expression: "`id` * 2", stored: false)),
        ],
        indexes: [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])])
    let shape = TableShape(info)
    let target = TableName("down", "t")

    func row(_ id: Int64, _ name: String?) -> [MySQLValue] {
        [.int(id), name.map { .bytes(Array($0.utf8)) } ?? .null, .int(id * 2)]
    }

    @Test func shapeUsesThePrimaryKeyAndSkipsGeneratedColumns() {
        #expect(self.shape.key == [0])
        #expect(self.shape.keyIsUnique)
        #expect(self.shape.writable == [0, 1])
        #expect(self.shape.charsets == [nil, "utf8mb4", nil])
    }

    @Test func consecutiveInsertsBecomeOneStatement() throws {
        let changes = (1...5).map { RowChange.insert(self.row($0, "n\($0)"), into: self.target, shape: self.shape) }
            + [RowChange.delete(self.row(9, nil), from: self.target, shape: self.shape)]
            + [RowChange.insert(self.row(6, "x"), into: self.target, shape: self.shape)]
        let sql = try DMLBuilder(safeMode: false, maxRowsPerStatement: 3).statements(for: changes)
        #expect(sql.count == 4)
        #expect(sql[0].hasPrefix("INSERT INTO `down`.`t` (`id`,`name`) VALUES (1,"))
        #expect(sql[0].components(separatedBy: "),(").count == 3)
        #expect(sql[1].components(separatedBy: "),(").count == 2)
        #expect(sql[2] == "DELETE FROM `down`.`t` WHERE `id`=9 LIMIT 1")
        #expect(sql[3].hasPrefix("INSERT INTO"))
    }

    @Test func interleavedTablesAreGroupedAndKeepTheirOwnOrder() throws {
        let other = TableName("down", "u")
        // t, u, t, u, t(delete), u, t: sysbench-style single-row transactions over two tables.
        let changes = [
            RowChange.insert(self.row(1, "a"), into: self.target, shape: self.shape),
            RowChange.insert(self.row(1, "b"), into: other, shape: self.shape),
            RowChange.insert(self.row(2, "c"), into: self.target, shape: self.shape),
            RowChange.insert(self.row(2, "d"), into: other, shape: self.shape),
            RowChange.delete(self.row(1, "a"), from: self.target, shape: self.shape),
            RowChange.insert(self.row(3, "e"), into: other, shape: self.shape),
            RowChange.insert(self.row(1, "f"), into: self.target, shape: self.shape),
        ]
        let sql = try DMLBuilder(safeMode: false).statements(for: changes)
        #expect(sql.count == 4)
        #expect(sql[0].hasPrefix("INSERT INTO `down`.`t` (`id`,`name`) VALUES (1,"))
        #expect(sql[0].components(separatedBy: "),(").count == 2)
        #expect(sql[1] == "DELETE FROM `down`.`t` WHERE `id`=1 LIMIT 1")
        #expect(sql[2].hasPrefix("INSERT INTO `down`.`t` (`id`,`name`) VALUES (1,"))
        #expect(sql[3].hasPrefix("INSERT INTO `down`.`u` (`id`,`name`) VALUES (1,"))
        #expect(sql[3].components(separatedBy: "),(").count == 3)
    }

    @Test func safeModeReplacesAndDeletesOnlyWhenTheKeyMoves() throws {
        let builder = DMLBuilder(safeMode: true)
        let sameKey = RowChange.update(self.row(1, "a"), self.row(1, "b"), in: self.target, shape: self.shape)
        let movedKey = RowChange.update(self.row(1, "a"), self.row(2, "a"), in: self.target, shape: self.shape)
        let same = try builder.statements(for: [sameKey])
        #expect(same.count == 1)
        #expect(same[0].hasPrefix("REPLACE INTO `down`.`t`"))
        let moved = try builder.statements(for: [movedKey])
        #expect(moved.count == 2)
        #expect(moved[0] == "DELETE FROM `down`.`t` WHERE `id`=1 LIMIT 1")
        #expect(moved[1].hasPrefix("REPLACE INTO"))
        let plain = try DMLBuilder(safeMode: false).statements(for: [movedKey])
        #expect(plain.count == 1)
        #expect(plain[0].hasPrefix("UPDATE `down`.`t` SET `id`=2,`name`="))
        #expect(plain[0].hasSuffix(" WHERE `id`=1 LIMIT 1"))
    }

    @Test func tablesWithoutKeysMatchEveryColumnAndNullSafely() throws {
        let keyless = TableShape(
            TableInfo(
                schema: "db", table: "k",
                columns: [ColumnInfo(name: "a", type: ColumnType(.int)), ColumnInfo(name: "b", type: ColumnType(.int))]))
        #expect(!keyless.keyIsUnique)
        let sql = try DMLBuilder(safeMode: false).statements(
            for: [RowChange.delete([.int(1), .null], from: self.target, shape: keyless)])
        #expect(sql == ["DELETE FROM `down`.`t` WHERE `a`=1 AND `b` IS NULL LIMIT 1"])
    }

    @Test func causalityKeepsAKeyOnOneWriterAndFlushesOnCrossWriterKeys() {
        var causality = Causality(writerCount: 8)
        var writerOf: [Int64: Int] = [:]
        for id in Int64(1)...200 {
            guard case .writer(let w) = causality.place(.insert(self.row(id, "x"), into: self.target, shape: self.shape))
            else {
                Issue.record("fresh keys never conflict")
                return
            }
            writerOf[id] = w
        }
        #expect(Set(writerOf.values).count > 4, "keys spread over the writers")
        // The same key goes to the same writer, and the placement is stable across instances (processes).
        var again = Causality(writerCount: 8)
        #expect(again.place(.delete(self.row(7, "x"), from: self.target, shape: self.shape)) == .writer(writerOf[7]!))
        // An update moving key a onto key b, owned by different writers, needs a flush first.
        let (a, b) = (writerOf.first { $0.value != writerOf[1]! }!.key, Int64(1))
        let move = RowChange.update(self.row(a, "x"), self.row(b, "x"), in: self.target, shape: self.shape)
        #expect(causality.place(move) == .flushFirst)
        causality.reset()
        #expect(causality.place(move) == .writer(writerOf[a]!))
    }
}
