import Schema
import Testing

@Suite struct ParserStructureTests {
    @Test func createTableStructure() throws {
        guard case .createTable(let create) = try DDLParser.parse(validDDLCorpus[1]) else {
            Issue.record("not a CREATE TABLE")
            return
        }
        #expect(create.table == QualifiedName(schema: "shard ddl", "t`b"))
        #expect(create.ifNotExists)
        #expect(create.columns.map(\.name) == ["id", "name", "price", "ts", "kind", "nxt"])
        let id = create.columns[0]
        #expect(id.type == ColumnType(.bigint, length: 20, unsigned: true) && !id.nullable && id.autoIncrement)
        let name = create.columns[1]
        #expect(name.charset == "utf8mb4" && name.collation == "utf8mb4_bin")
        #expect(name.defaultValue == .string("it's") && name.comment == "the 'name'")
        #expect(create.columns[2].type == ColumnType(.decimal, length: 10, scale: 2, unsigned: true, zerofill: true))
        #expect(create.columns[2].defaultValue == .number("-1.50"))
        #expect(create.columns[3].defaultValue == .expression("CURRENT_TIMESTAMP(3)"))
        #expect(create.columns[3].onUpdate == "CURRENT_TIMESTAMP(3)")
        #expect(create.columns[4].type.elements == ["a", "b"] && create.columns[4].defaultValue == .null)
        #expect(create.columns[5].generated == GeneratedColumn(expression: "`id` + 1", stored: true))
        #expect(create.indexes.map(\.kind) == [.primary, .unique, .plain, .fulltext])
        #expect(create.indexes[1].columns == [IndexColumn("name", prefixLength: 10, descending: true)])
        #expect(create.indexes[1].algorithm == "BTREE" && create.indexes[1].comment == "c")
        #expect(create.indexes[2].name.isEmpty)
        #expect(create.charset == "utf8mb4" && create.collation == "utf8mb4_general_ci")
        #expect(create.options == TableOptions(engine: "InnoDB", autoIncrement: 42, comment: "t",
            other: [RawTableOption(name: "ROW_FORMAT", value: "DYNAMIC")]))
    }

    @Test func alterSpecs() throws {
        let statement = try DDLParser.parse(
            "alter table tb add column c1 int not null default 10 after a, add c2 int first, drop column x, change y z bigint, rename column z to w, alter w set default 3, alter w drop default, add unique key uk (c1), drop index uk, drop primary key, rename index i to j, default charset utf8mb4, convert to charset utf8mb4 collate utf8mb4_bin")
        let int = ColumnType(.int)
        #expect(statement == .alterTable(AlterTable(table: QualifiedName("tb"), specs: [
            .addColumn(ColumnInfo(name: "c1", type: int, nullable: false, defaultValue: .number("10")), .after("a")),
            .addColumn(ColumnInfo(name: "c2", type: int), .first),
            .dropColumn("x"),
            .changeColumn(old: "y", ColumnInfo(name: "z", type: ColumnType(.bigint)), .unspecified),
            .renameColumn(old: "z", new: "w"),
            .setDefault(column: "w", .number("3")),
            .dropDefault(column: "w"),
            .addIndex(IndexInfo(name: "uk", kind: .unique, columns: [IndexColumn("c1")])),
            .dropIndex("uk"),
            .dropPrimaryKey,
            .renameIndex(old: "i", new: "j"),
            .defaultCharset(charset: "utf8mb4", collation: nil),
            .convertTo(charset: "utf8mb4", collation: "utf8mb4_bin"),
        ])))
    }

    @Test func inlineKeysBecomeIndexSpecs() throws {
        let statement = try DDLParser.parse("ALTER TABLE t ADD COLUMN new_col1 INT UNIQUE AUTO_INCREMENT")
        #expect(statement == .alterTable(AlterTable(table: QualifiedName("t"), specs: [
            .addColumn(ColumnInfo(name: "new_col1", type: ColumnType(.int), autoIncrement: true), .unspecified),
            .addIndex(IndexInfo(name: "", kind: .unique, columns: [IndexColumn("new_col1")])),
        ])))
    }

    @Test func otherStatements() throws {
        #expect(try DDLParser.parse("drop table if exists a, db.b") == .dropTable(DropTable(
            tables: [QualifiedName("a"), QualifiedName(schema: "db", "b")], ifExists: true)))
        #expect(try DDLParser.parse("truncate db.t") == .truncateTable(QualifiedName(schema: "db", "t")))
        #expect(try DDLParser.parse("rename table a to b, c to d") == .renameTable([
            TableRename(from: QualifiedName("a"), to: QualifiedName("b")),
            TableRename(from: QualifiedName("c"), to: QualifiedName("d")),
        ]))
        #expect(try DDLParser.parse("CREATE SCHEMA IF NOT EXISTS s CHARACTER SET = utf8") == .createDatabase(
            CreateDatabase(name: "s", ifNotExists: true, charset: "utf8")))
        #expect(try DDLParser.parse("drop database `d`;") == .dropDatabase(DropDatabase(name: "d")))
    }

    @Test func defaultsAreNormalised() throws {
        guard case .createTable(let create) = try DDLParser.parse(validDDLCorpus[4]) else {
            Issue.record("not a CREATE TABLE")
            return
        }
        #expect(create.columns.map(\.defaultValue) == [
            .expression("(RAND() * 10)"), .expression("CURRENT_TIMESTAMP"), nil, .string("x"), .expression("b'1'"),
            .expression("0x1F"),
        ])
        #expect(create.columns[2].generated == GeneratedColumn(expression: "`a` * 2", stored: false))
    }

    @Test func equivalentExpressionsCompareEqual() throws {
        let a = try DDLParser.parse("ALTER TABLE t ADD COLUMN c INT AS (id+1)")
        let b = try DDLParser.parse("alter table t add column c int generated always as (`id` + 1) virtual")
        #expect(a == b)
    }

    @Test(arguments: [
        ("", 0), ("CREATE TABLE", 12), ("CREATE TABLE t (", 16), ("ALTER TABLE t ADD COLUMN", 24),
        ("CREATE TABLE t (a INT) garbage", 30), ("DROP TABLE t extra", 13), ("CREATE TABLE t (a VARCHAR)", 25),
        ("CREATE TABLE t (a INT DEFAULT)", 29), ("CREATE TABLE t (a 'x')", 18), ("CREATE TABLE t (a INT) 'unterminated", 23),
        ("ALTER TABLE é ADD COLUMN `x", 25),
    ])
    func syntaxErrorsCarryOffsets(_ sql: String, _ offset: Int) {
        let error = #expect(throws: DDLParseError.self) { try DDLParser.parse(sql) }
        #expect(error?.code == .syntax, "\(sql): \(String(describing: error))")
        #expect(error?.offset == offset, "\(sql): \(String(describing: error))")
    }

    @Test func keywordsAreCaseInsensitiveAndCommentsIgnored() throws {
        let a = try DDLParser.parse("AlTeR /* c */ TaBlE t -- x\n ADD #y\n CoLuMn c InT")
        #expect(a == (try DDLParser.parse("ALTER TABLE t ADD COLUMN c INT")))
    }
}

@Suite struct KeywordIdentifierTests {
    // Non-reserved MySQL keywords are valid bare column names; reserved ones need backquotes.
    @Test func nonReservedKeywordsAreIdentifiers() throws {
        let statement = try DDLParser.parse(
            "CREATE TABLE t (status INT, type INT, comment TEXT, date DATE, first INT, engine INT)")
        guard case .createTable(let create) = statement else {
            Issue.record("not a CREATE TABLE")
            return
        }
        #expect(create.columns.map(\.name) == ["status", "type", "comment", "date", "first", "engine"])
        #expect(try DDLParser.parse("ALTER TABLE t ADD COLUMN c INT AFTER first") == .alterTable(AlterTable(
            table: QualifiedName("t"), specs: [.addColumn(ColumnInfo(name: "c", type: ColumnType(.int)), .after("first"))])))
        let error = #expect(throws: DDLParseError.self) { try DDLParser.parse("CREATE TABLE t (key INT)") }
        #expect(error?.code == .syntax)
        #expect(try DDLParser.parse("CREATE TABLE t (`key` INT)").tables == [QualifiedName("t")])
    }
}
