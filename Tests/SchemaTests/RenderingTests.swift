import Schema
import Testing

@Suite struct RenderingTests {
    // Property: parse(render(x)) == x for every statement of the corpus.
    @Test(arguments: validDDLCorpus)
    func roundTrip(_ sql: String) throws {
        let statement = try DDLParser.parse(sql)
        let rendered = statement.rendered()
        let reparsed = try DDLParser.parse(rendered)
        #expect(reparsed == statement, "\(sql)\n→ \(rendered)")
        #expect(reparsed.rendered() == rendered)
    }

    @Test func routedAlter() throws {
        let statement = try DDLParser.parse("alter table shardddl1.tb1 add column new_col1 int")
        let rendered = statement.rendered { _ in QualifiedName(schema: "shardddl", "tb") }
        #expect(rendered == "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT")
    }

    @Test func renameRoutesBothSides() throws {
        let statement = try DDLParser.parse("RENAME TABLE a TO b")
        #expect(statement.rendered { QualifiedName(schema: "d", $0.name.uppercased()) } == "RENAME TABLE `d`.`A` TO `d`.`B`")
    }

    @Test func canonicalCreateTable() throws {
        let statement = try DDLParser.parse(
            "create table t (id int primary key, v varchar(10) not null default 'x''y', key idx (v)) engine=innodb default charset=utf8mb4")
        #expect(
            statement.rendered()
                == "CREATE TABLE `t` (`id` INT NOT NULL, `v` VARCHAR(10) NOT NULL DEFAULT 'x''y', PRIMARY KEY (`id`), KEY `idx` (`v`)) ENGINE=innodb DEFAULT CHARSET=utf8mb4")
    }

    @Test func databaseRendering() throws {
        let statement = try DDLParser.parse("create database if not exists d charset utf8mb4")
        #expect(statement.rendered(renamingSchema: { $0 + "_x" }) == "CREATE DATABASE IF NOT EXISTS `d_x` DEFAULT CHARACTER SET utf8mb4")
    }

    @Test func splitSpecs() throws {
        let statement = try DDLParser.parse("ALTER TABLE t ADD COLUMN a INT, DROP COLUMN b, ADD INDEX (a)")
        let split = statement.splitSpecs()
        #expect(split.map { $0.rendered() } == [
            "ALTER TABLE `t` ADD COLUMN `a` INT", "ALTER TABLE `t` DROP COLUMN `b`", "ALTER TABLE `t` ADD KEY (`a`)",
        ])
        let single = try DDLParser.parse("DROP TABLE t")
        #expect(single.splitSpecs() == [single])
    }

    @Test func quotingSurvives() throws {
        let statement = try DDLParser.parse("ALTER TABLE `we``ird` ADD COLUMN `a b` VARCHAR(3) DEFAULT 'back\\\\slash' COMMENT 'x\"y'")
        let rendered = statement.rendered()
        #expect(rendered == "ALTER TABLE `we``ird` ADD COLUMN `a b` VARCHAR(3) DEFAULT 'back\\\\slash' COMMENT 'x\"y'")
        #expect(try DDLParser.parse(rendered) == statement)
    }
}
