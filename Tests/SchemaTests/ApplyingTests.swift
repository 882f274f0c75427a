import Schema
import Testing

func tracked(_ create: String) throws -> TableInfo {
    guard case .createTable(let statement) = try DDLParser.parse(create) else {
        throw DDLParseError(.syntax, construct: "test", "not a CREATE TABLE", offset: 0)
    }
    return TableInfo(statement, defaultSchema: "shardddl1")
}

func applying(_ table: TableInfo, _ sql: String) throws -> TableInfo {
    try table.applying(try DDLParser.parse(sql))
}

@Suite struct ApplyingTests {
    @Test func createTableBuildsTableInfo() throws {
        let table = try tracked("CREATE TABLE tb1 (id INT, v VARCHAR(10), PRIMARY KEY (id), KEY (v), UNIQUE (v))")
        #expect(table.schema == "shardddl1" && table.table == "tb1")
        #expect(table.column(named: "id")?.nullable == false)  // primary key implies NOT NULL
        #expect(table.indexes.map(\.name) == ["PRIMARY", "v", "v_2"])
    }

    @Test func addDropModifyChange() throws {
        var table = try tracked("CREATE TABLE tb1 (a INT PRIMARY KEY, b VARCHAR(10))")
        table = try applying(table, "ALTER TABLE tb1 ADD COLUMN c INT FIRST, ADD d INT AFTER a, ADD e INT")
        #expect(table.columns.map(\.name) == ["c", "a", "d", "b", "e"])
        table = try applying(table, "ALTER TABLE tb1 MODIFY b VARCHAR(20) NOT NULL AFTER e, DROP COLUMN c")
        #expect(table.columns.map(\.name) == ["a", "d", "e", "b"])
        #expect(table.column(named: "b")?.type == ColumnType(.varchar, length: 20))
        table = try applying(table, "ALTER TABLE tb1 ADD INDEX idx (b, e), CHANGE e f BIGINT")
        #expect(table.index(named: "idx")?.columns.map(\.name) == ["b", "f"])
        table = try applying(table, "ALTER TABLE tb1 DROP COLUMN f")
        #expect(table.index(named: "idx")?.columns.map(\.name) == ["b"])
        table = try applying(table, "ALTER TABLE tb1 RENAME COLUMN b TO bb, RENAME INDEX idx TO idx2")
        #expect(table.index(named: "IDX2")?.columns.map(\.name) == ["bb"])
        table = try applying(table, "ALTER TABLE tb1 ALTER bb SET DEFAULT 'x'")
        #expect(table.column(named: "bb")?.defaultValue == .string("x"))
        table = try applying(table, "ALTER TABLE tb1 ALTER bb DROP DEFAULT, DROP PRIMARY KEY")
        #expect(table.column(named: "bb")?.defaultValue == nil && table.primaryKey == nil)
    }

    // DM_027: a statement about a column the table lacks fails like MySQL's 1054.
    @Test(arguments: [
        ("ALTER TABLE tb1 DROP COLUMN nope", SchemaError.Code.unknownColumn),
        ("ALTER TABLE tb1 ADD COLUMN A INT", .duplicateColumn),
        ("ALTER TABLE tb1 ADD COLUMN z INT AFTER nope", .unknownColumn),
        ("ALTER TABLE tb1 CHANGE b a INT", .duplicateColumn),
        ("ALTER TABLE tb1 RENAME COLUMN b TO A", .duplicateColumn),
        ("ALTER TABLE tb1 DROP INDEX nope", .unknownIndex),
        ("ALTER TABLE tb1 ADD PRIMARY KEY (b)", .multiplePrimaryKeys),
        ("ALTER TABLE tb1 ADD INDEX k (nope)", .unknownColumn),
        ("ALTER TABLE tb1 ADD INDEX k (a), ADD INDEX K (b)", .duplicateIndex),
        ("ALTER TABLE tb1 DROP a, DROP b", .droppingLastColumn),
        ("ALTER TABLE tb1 DROP PRIMARY KEY, DROP PRIMARY KEY", .missingPrimaryKey),
        ("DROP TABLE tb1", .notApplicable),
        ("RENAME TABLE other TO x", .notApplicable),
    ])
    func errorsAreTyped(_ sql: String, _ code: SchemaError.Code) throws {
        let table = try tracked("CREATE TABLE tb1 (a INT PRIMARY KEY, b VARCHAR(10))")
        let error = #expect(throws: SchemaError.self) { try applying(table, sql) }
        #expect(error?.code == code, "\(sql)")
    }

    @Test func charsetClauses() throws {
        var table = try tracked("CREATE TABLE tb1 (a INT, b VARCHAR(10)) DEFAULT CHARSET=utf8 COLLATE=utf8_bin")
        table = try applying(table, "ALTER TABLE tb1 DEFAULT CHARACTER SET utf8mb4")
        #expect(table.charset == "utf8mb4" && table.collation == nil)
        #expect(table.column(named: "b")?.charset == nil)
        table = try applying(table, "ALTER TABLE tb1 CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        #expect(table.column(named: "b")?.charset == "utf8mb4" && table.column(named: "a")?.charset == nil)
    }

    @Test func renameTruncateAndRecreate() throws {
        let table = try tracked("CREATE TABLE tb1 (a INT)")
        #expect(try applying(table, "TRUNCATE tb1") == table)
        #expect(try applying(table, "RENAME TABLE shardddl1.tb1 TO shardddl1.tb3").table == "tb3")
        #expect(try applying(table, "CREATE TABLE tb1 (b INT)").columns.map(\.name) == ["b"])
    }

    @Test func tableOptionsMerge() throws {
        var table = try tracked("CREATE TABLE tb1 (a INT) ENGINE=InnoDB ROW_FORMAT=DYNAMIC")
        table = try applying(table, "ALTER TABLE tb1 COMMENT='x', ROW_FORMAT=COMPACT")
        #expect(table.options == TableOptions(engine: "InnoDB", comment: "x", other: [RawTableOption(name: "ROW_FORMAT", value: "COMPACT")]))
    }

    // The tracker feeds the lattice: a split ALTER applied step by step joins like DM's tisAfter.
    @Test func splitAlterFeedsLattice() throws {
        let before = try tracked("CREATE TABLE tb1 (id INT PRIMARY KEY)")
        var after = before
        for statement in try DDLParser.parse("ALTER TABLE tb1 ADD COLUMN a INT, ADD COLUMN b INT DEFAULT 1").splitSpecs() {
            let next = try after.applying(statement)
            #expect(try SchemaLattice.compare(next, after) == .greater)
            after = next
        }
        #expect(try SchemaLattice.compare(before, after) == .less)
    }

    @Test func createTableRendersBack() throws {
        let table = try tracked("CREATE TABLE tb1 (id INT PRIMARY KEY, v VARCHAR(3) DEFAULT 'a', KEY (v)) DEFAULT CHARSET=utf8mb4")
        let sql = DDLStatement.createTable(table.createTable).rendered()
        #expect(try tracked(sql) == table)
    }
}
