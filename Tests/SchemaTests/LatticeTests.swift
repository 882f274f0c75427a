import Schema
import Testing

/// `CREATE TABLE shardddl.tb (id INT PRIMARY KEY, <extra>)`, built by hand so these tests do not
/// depend on the parser.
func table(_ extra: ColumnInfo..., indexes: [IndexInfo] = [], charset: String? = nil) -> TableInfo {
    TableInfo(
        schema: "shardddl", table: "tb",
        columns: [ColumnInfo(name: "id", type: ColumnType(.int), nullable: false)] + extra,
        indexes: [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])] + indexes,
        charset: charset)
}

func col(_ name: String, _ type: ColumnType, nullable: Bool = true, default value: DefaultValue? = nil) -> ColumnInfo {
    ColumnInfo(name: name, type: type, nullable: nullable, defaultValue: value)
}

@Suite struct LatticeTests {
    // DM: TestLockTrySyncNormal — ADD COLUMN makes the table larger, so it is emitted at once.
    @Test func addColumnIsGreater() throws {
        let before = table()
        let after = table(col("new_col1", ColumnType(.int)))
        #expect(try SchemaLattice.compare(after, before) == .greater)
        #expect(try SchemaLattice.compare(before, after) == .less)
        #expect(try SchemaLattice.join(before, after).column(named: "new_col1") != nil)
        #expect(try SchemaLattice.compare(SchemaLattice.join(before, after), after) == .equal)
    }

    // DM: TestLockTrySyncIntBigint — widening INT to BIGINT is a larger schema.
    @Test func intBigint() throws {
        let small = table(col("c", ColumnType(.int)))
        let big = table(col("c", ColumnType(.bigint)))
        #expect(try SchemaLattice.compare(small, big) == .less)
        #expect(try SchemaLattice.join(small, big).column(named: "c")?.type.base == .bigint)
        #expect(try SchemaLattice.join(big, small).column(named: "c")?.type.base == .bigint)
    }

    // DM: TestLockTrySyncNullNotNull — NULL > NOT NULL.
    @Test func nullGreaterThanNotNull() throws {
        let notNull = table(col("c", ColumnType(.int), nullable: false, default: .number("0")))
        let null = table(col("c", ColumnType(.int), default: .number("0")))
        #expect(try SchemaLattice.compare(null, notNull) == .greater)
        #expect(try SchemaLattice.join(notNull, null).column(named: "c")?.nullable == true)
    }

    // DM: TestLockTrySyncIndex — an index is a constraint: adding it makes the table smaller.
    @Test func indexMissingIsGreater() throws {
        let plain = table(col("c", ColumnType(.int)))
        let indexed = table(
            col("c", ColumnType(.int)), indexes: [IndexInfo(name: "idx_c", kind: .unique, columns: [IndexColumn("c")])])
        #expect(try SchemaLattice.compare(indexed, plain) == .less)
        #expect(try SchemaLattice.join(indexed, plain).index(named: "idx_c") == nil)
    }

    // DM_119 / ShouldDeleteIncompatibleJoin — same-named indexes that differ are dropped, not reported.
    @Test func differentSameNamedIndexesDroppedFromJoin() throws {
        let a = table(col("c", ColumnType(.int)), col("d", ColumnType(.int)),
            indexes: [IndexInfo(name: "idx", kind: .plain, columns: [IndexColumn("c")])])
        let b = table(col("c", ColumnType(.int)), col("d", ColumnType(.int)),
            indexes: [IndexInfo(name: "IDX", kind: .plain, columns: [IndexColumn("d")])])
        #expect(try SchemaLattice.join(a, b).index(named: "idx") == nil)
        let error = #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.compare(a, b) }
        #expect(error?.code == .indexMismatch)
        #expect(error?.subject == .index("idx"))
    }

    // DM_037 / DM_058 — different defaults conflict.
    @Test func differentDefaultsConflict() {
        let a = table(col("new_col1", ColumnType(.int), default: .number("0")))
        let b = table(col("new_col1", ColumnType(.int), default: .number("-1")))
        let error = #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.compare(a, b) }
        #expect(error?.code == .defaultMismatch)
        #expect(error?.subject == .column("new_col1"))
        #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.join(a, b) }
    }

    // DM_043 — different generated expressions conflict; DM_041 the same expression joins.
    @Test func generatedExpressions() throws {
        func gen(_ e: String) -> ColumnInfo {
            ColumnInfo(name: "new_col1", type: ColumnType(.int), generated: GeneratedColumn(expression: e, stored: false))
        }
        #expect(try SchemaLattice.compare(table(gen("`id` + 1")), table(gen("`id` + 1"))) == .equal)
        let error = #expect(throws: SchemaIncompatibility.self) {
            try SchemaLattice.join(table(gen("`id` + 1")), table(gen("`id` + 2")))
        }
        #expect(error?.code == .generatedMismatch)
    }

    // Type part of the lattice: DECIMAL precision, signedness, zerofill are singletons.
    @Test(arguments: [
        (ColumnType(.decimal, length: 10, scale: 2), ColumnType(.decimal, length: 12, scale: 2)),
        (ColumnType(.int), ColumnType(.int, unsigned: true)),
        (ColumnType(.int), ColumnType(.int, zerofill: true)),
        (ColumnType(.int), ColumnType(.varchar, length: 10)),
        (ColumnType(.varchar, length: 10), ColumnType(.char, length: 10)),
        (ColumnType(.enum, elements: ["a", "b"]), ColumnType(.enum, elements: ["b", "a"])),
    ])
    func incomparableTypes(_ x: ColumnType, _ y: ColumnType) {
        #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.compare(table(col("c", x)), table(col("c", y))) }
        #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.join(table(col("c", x)), table(col("c", y))) }
    }

    @Test(arguments: [
        (ColumnType(.varchar, length: 10), ColumnType(.varchar, length: 20)),
        (ColumnType(.tinyint), ColumnType(.smallint)),
        (ColumnType(.blob), ColumnType(.longblob)),
        (ColumnType(.text), ColumnType(.mediumtext)),
        (ColumnType(.datetime), ColumnType(.datetime, length: 3)),
        (ColumnType(.enum, elements: ["a"]), ColumnType(.enum, elements: ["a", "b"])),
        (ColumnType(.set, elements: ["x", "y"]), ColumnType(.set, elements: ["x", "y", "z"])),
    ])
    func widerIsGreater(_ narrow: ColumnType, _ wide: ColumnType) throws {
        let (a, b) = (table(col("c", narrow)), table(col("c", wide)))
        #expect(try SchemaLattice.compare(a, b) == .less)
        #expect(try SchemaLattice.compare(b, a) == .greater)
        #expect(try SchemaLattice.join(a, b).column(named: "c")?.type == wide)
    }

    @Test func intDisplayWidthIsCosmetic() throws {
        let a = table(col("c", ColumnType(.int)))
        let b = table(col("c", ColumnType(.int, length: 11)))
        #expect(try SchemaLattice.compare(a, b) == .equal)
    }

    // DM CompareWithNil — a missing NOT NULL column without default is a conflict.
    @Test func missingColumnNeedsDefault() throws {
        let base = table()
        let withDefault = table(col("c", ColumnType(.int), nullable: false, default: .number("10")))
        #expect(try SchemaLattice.compare(withDefault, base) == .greater)
        let noDefault = table(col("c", ColumnType(.int), nullable: false))
        let error = #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.compare(base, noDefault) }
        #expect(error?.code == .missingColumnWithoutDefault)
        // Joining with the absence gives the column MySQL's implicit default, so both sides fit the join.
        let joined = try SchemaLattice.join(base, noDefault)
        #expect(joined.column(named: "c")?.defaultValue == .number("0"))
        #expect(try SchemaLattice.compare(base, joined) == .less)
        #expect(try SchemaLattice.compare(noDefault, joined) == .less)
    }

    // DM_040 — utf8 joins with utf8mb4 into utf8mb4.
    @Test func utf8JoinsUtf8mb4() throws {
        let a = table(ColumnInfo(name: "c", type: ColumnType(.varchar, length: 10), charset: "utf8", collation: "utf8_bin"))
        let b = table(ColumnInfo(name: "c", type: ColumnType(.varchar, length: 10), charset: "utf8mb4", collation: "utf8mb4_bin"))
        #expect(try SchemaLattice.compare(a, b) == .less)
        let joined = try SchemaLattice.join(a, b).column(named: "c")
        #expect(joined?.charset == "utf8mb4")
        #expect(joined?.collation == "utf8mb4_bin")
        let latin = table(ColumnInfo(name: "c", type: ColumnType(.varchar, length: 10), charset: "latin1"))
        let error = #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.compare(a, latin) }
        #expect(error?.code == .charsetMismatch)
    }

    // DM_071 — the table default charset follows the same order.
    @Test func tableCharsetOrder() throws {
        #expect(try SchemaLattice.compare(table(charset: "utf8mb3"), table(charset: "UTF8MB4")) == .less)
        #expect(try SchemaLattice.join(table(charset: "utf8"), table(charset: "utf8mb4")).charset == "utf8mb4")
    }

    @Test func columnCharsetInheritsTableCharset() throws {
        let implicit = table(col("c", ColumnType(.varchar, length: 10)), charset: "utf8mb4")
        let explicit = table(ColumnInfo(name: "c", type: ColumnType(.varchar, length: 10), charset: "utf8mb4"), charset: "utf8mb4")
        #expect(try SchemaLattice.compare(implicit, explicit) == .equal)
    }

    // One table has an extra column, the other a wider one: neither is larger.
    @Test func contradictoryDirections() throws {
        let a = table(col("c", ColumnType(.bigint)))
        let b = table(col("c", ColumnType(.int)), col("d", ColumnType(.int)))
        let error = #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.compare(a, b) }
        #expect(error?.code == .contradictoryOrder)
        let joined = try SchemaLattice.join(a, b)
        #expect(joined.columns.map(\.name) == ["id", "c", "d"])
        #expect(joined.column(named: "c")?.type.base == .bigint)
        #expect(try SchemaLattice.compare(a, joined) == .less)
        #expect(try SchemaLattice.compare(b, joined) == .less)
    }

    @Test func namesAreCaseInsensitive() throws {
        #expect(try SchemaLattice.compare(table(col("Col", ColumnType(.int))), table(col("col", ColumnType(.int)))) == .equal)
    }

    @Test func defaultNullEqualsNoDefault() throws {
        #expect(try SchemaLattice.compare(table(col("c", ColumnType(.int), default: .null)), table(col("c", ColumnType(.int)))) == .equal)
        #expect(try SchemaLattice.compare(table(col("c", ColumnType(.int), default: .string("5"))), table(col("c", ColumnType(.int), default: .number("5")))) == .equal)
    }

    @Test func columnLevelApi() throws {
        let a = col("c", ColumnType(.int), nullable: false, default: .number("1"))
        let b = col("c", ColumnType(.bigint), nullable: true, default: .number("1"))
        #expect(try SchemaLattice.compareColumns(a, b) == .less)
        #expect(try SchemaLattice.compareColumn(a, nil) == .greater)
        #expect(try SchemaLattice.compareColumn(nil, a) == .less)
        let joined = try SchemaLattice.joinColumns(a, b)
        #expect(joined.type.base == .bigint && joined.nullable)
    }

    // DM_035 / DM_036 / DM_104: the same columns added in different orders or positions give equal schemas.
    @Test func columnOrderIsOutsideTheLattice() throws {
        let base = try tracked("CREATE TABLE tb1 (a INT PRIMARY KEY, b VARCHAR(10))")
        let s1 = try applying(base, "ALTER TABLE tb1 ADD COLUMN new_col1 INT NOT NULL DEFAULT 10, ADD COLUMN new_col2 INT NOT NULL DEFAULT 20")
        let s2 = try applying(base, "ALTER TABLE tb1 ADD COLUMN new_col2 INT NOT NULL DEFAULT 20 FIRST, ADD COLUMN new_col1 INT NOT NULL DEFAULT 10 AFTER a")
        #expect(s1 != s2)
        #expect(try SchemaLattice.compare(s1, s2) == .equal)
        #expect(try SchemaLattice.compare(SchemaLattice.join(s1, s2), s1) == .equal)
    }

    // DM_031: `int` vs `varchar(10)` for the same new column blocks.
    @Test func sameColumnDifferentTypesConflict() throws {
        let base = try tracked("CREATE TABLE tb1 (id INT PRIMARY KEY)")
        let s1 = try applying(base, "ALTER TABLE tb1 ADD COLUMN new_col1 INT")
        let s2 = try applying(base, "ALTER TABLE tb1 ADD COLUMN new_col1 VARCHAR(10)")
        let error = #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.join(s1, s2) }
        #expect(error?.code == .typeMismatch && error?.subject == .column("new_col1"))
    }

    // DM_034: `add new_col1 int unique auto_increment` adds a constraint: smaller, not larger.
    @Test func addUniqueAutoIncrementColumnIsNotGreater() throws {
        let base = try tracked("CREATE TABLE tb1 (id INT PRIMARY KEY)")
        let after = try applying(base, "ALTER TABLE tb1 ADD COLUMN new_col1 INT UNIQUE AUTO_INCREMENT")
        #expect(after.index(named: "new_col1")?.kind == .unique)
        let error = #expect(throws: SchemaIncompatibility.self) { try SchemaLattice.compare(base, after) }
        #expect(error?.code == .contradictoryOrder)
    }
}
