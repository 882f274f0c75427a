import Schema
import Testing

/// Partition clauses are kept as canonical text: rendered back (routed), never applied to TableInfo.
@Suite struct PartitionTests {
    private func alter(_ sql: String) throws -> AlterTable {
        guard case .alterTable(let alter) = try DDLParser.parse(sql) else {
            Issue.record("not an ALTER TABLE: \(sql)")
            throw DDLParseError(.syntax, construct: "test", "not an ALTER", offset: 0)
        }
        return alter
    }

    @Test func createTableKeepsItsClauseRouted() throws {
        let statement = try DDLParser.parse(
            "create table shardddl1.tb1 (id int primary key) partition by range (id) (partition p0 values less than (10), partition p1 values less than maxvalue)")
        guard case .createTable(let create) = statement else { Issue.record("\(statement)"); return }
        #expect(create.partition?.kind == .partitionBy)
        #expect(create.columns.map(\.name) == ["id"])
        let rendered = statement.rendered { _ in QualifiedName(schema: "shardddl", "tb") }
        #expect(rendered.hasPrefix("CREATE TABLE `shardddl`.`tb` ("), "\(rendered)")
        #expect(
            rendered.hasSuffix(") PARTITION BY RANGE(id) (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE)"),
            "\(rendered)")
        // The tracked schema is the unpartitioned table's.
        let plain = try DDLParser.parse("create table shardddl1.tb1 (id int primary key)")
        guard case .createTable(let plainCreate) = plain else { return }
        #expect(TableInfo(create) == TableInfo(plainCreate))
    }

    @Test func versionedShowCreateTable() throws {
        // What MariaDB's SHOW CREATE TABLE prints for a partitioned table.
        let statement = try DDLParser.parse(
            "CREATE TABLE `tb1` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci\n PARTITION BY RANGE (`id`)\n(PARTITION `p0` VALUES LESS THAN (10) ENGINE = InnoDB,\n PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)")
        guard case .createTable(let create) = statement else { Issue.record("\(statement)"); return }
        #expect(
            create.partition?.sql
                == "PARTITION BY RANGE(`id`) (PARTITION `p0` VALUES LESS THAN (10) ENGINE = InnoDB, PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)")
        #expect(create.options.engine == "InnoDB")
    }

    @Test(arguments: [
        ("alter table t partition by hash(id) partitions 2", PartitionClause.Kind.partitionBy, "PARTITION BY HASH(id) PARTITIONS 2"),
        ("ALTER TABLE t ADD PARTITION (PARTITION p2 VALUES LESS THAN (20))", .add, "ADD PARTITION (PARTITION p2 VALUES LESS THAN (20))"),
        ("alter table t drop partition p0, p1", .drop, "DROP PARTITION p0, p1"),
        ("alter table t truncate partition p0", .truncate, "TRUNCATE PARTITION p0"),
        ("alter table t coalesce partition 2", .coalesce, "COALESCE PARTITION 2"),
        ("alter table t reorganize partition p0 into (partition a values less than (5), partition b values less than (10))", .reorganize,
            "REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (5), PARTITION b VALUES LESS THAN (10))"),
        ("alter table t remove partitioning", .removePartitioning, "REMOVE PARTITIONING"),
        ("alter table t optimize partition p0", .maintenance, "OPTIMIZE PARTITION p0"),
        ("alter table t check partition all", .maintenance, "CHECK PARTITION ALL"),
    ])
    func alterForms(_ sql: String, _ kind: PartitionClause.Kind, _ text: String) throws {
        let alter = try self.alter(sql)
        #expect(alter.specs == [.partition(PartitionClause(kind: kind, sql: text))])
        #expect(DDLStatement.alterTable(alter).rendered { _ in QualifiedName(schema: "d", "tb") } == "ALTER TABLE `d`.`tb` " + text)
        #expect(alter.isPartitionMaintenance == (kind == .truncate || kind == .maintenance))
    }

    @Test func partitionByFollowsOtherClausesWithoutComma() throws {
        let statement = try DDLParser.parse("alter table t add column c int, engine=InnoDB partition by key() partitions 2")
        #expect(statement.rendered() == "ALTER TABLE `t` ADD COLUMN `c` INT, ENGINE=InnoDB PARTITION BY KEY() PARTITIONS 2")
        let split = statement.splitSpecs().map { $0.rendered() }
        #expect(split == ["ALTER TABLE `t` ADD COLUMN `c` INT", "ALTER TABLE `t` ENGINE=InnoDB", "ALTER TABLE `t` PARTITION BY KEY() PARTITIONS 2"])
        // The column is applied; the partition clause changes nothing else.
        guard case .createTable(let create) = try DDLParser.parse("create table t (id int)") else { return }
        let table = TableInfo(create, defaultSchema: "d")
        let after = try table.applying(statement)
        #expect(after.columns.map(\.name) == ["id", "c"])
        #expect(try table.applying(DDLParser.parse("alter table t drop partition p0")) == table)
    }

    @Test func exchangeRoutesTheOtherTable() throws {
        let statement = try DDLParser.parse("alter table t exchange partition p0 with table u without validation")
            .qualified(defaultSchema: "s")
        #expect(statement.tables == [QualifiedName(schema: "s", "t"), QualifiedName(schema: "s", "u")])
        #expect(
            statement.rendered { QualifiedName(schema: "r", $0.name + "_x") }
                == "ALTER TABLE `r`.`t_x` EXCHANGE PARTITION p0 WITH TABLE `r`.`u_x` WITHOUT VALIDATION")
    }

    @Test(arguments: [
        "alter table t add partition (partition p1 values less than (10)",
        "alter table t drop partition p0)",
        "alter table t add column c int, drop partition p0",
        "create table t (id int) partition",
        "alter table t exchange partition p0",
    ])
    func refused(_ sql: String) {
        #expect(throws: DDLParseError.self) { try DDLParser.parse(sql) }
    }
}
