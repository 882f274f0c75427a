import Schema
import Testing

@Suite struct InspectionTests {
    @Test func tablesNamed() throws {
        #expect(try DDLParser.parse("RENAME TABLE a TO b, db.c TO d").tables == [
            QualifiedName("a"), QualifiedName("b"), QualifiedName(schema: "db", "c"), QualifiedName("d"),
        ])
        #expect(try DDLParser.parse("DROP TABLE a, b").tables.count == 2)
        #expect(try DDLParser.parse("CREATE DATABASE d").tables.isEmpty)
    }

    @Test func qualifiedFillsOnlyMissingSchemas() throws {
        let statement = try DDLParser.parse("RENAME TABLE a TO other.b").qualified(defaultSchema: "shardddl1")
        #expect(statement.tables == [QualifiedName(schema: "shardddl1", "a"), QualifiedName(schema: "other", "b")])
    }

    // DM_038: `add column col1 datetime default now()` diverges across shards.
    @Test func nondeterministicDefaults() throws {
        guard case .alterTable(let alter) = try DDLParser.parse(
            "ALTER TABLE t ADD COLUMN a DATETIME DEFAULT now(), ADD b INT DEFAULT 1, ADD c VARCHAR(36) DEFAULT (uuid()), ADD d INT DEFAULT (1 + 1)"),
            case .addColumn(let a, _) = alter.specs[0], case .addColumn(let b, _) = alter.specs[1],
            case .addColumn(let c, _) = alter.specs[2], case .addColumn(let d, _) = alter.specs[3]
        else {
            Issue.record("unexpected parse")
            return
        }
        #expect(a.defaultValue?.isNondeterministic == true)
        #expect(b.defaultValue?.isNondeterministic == false)
        #expect(c.defaultValue?.isNondeterministic == true)
        #expect(d.defaultValue?.isNondeterministic == false)
    }
}
