import Domain
import Optimism
import Schema
import Testing

/// DM's `pkg/shardddl/optimism/lock_test.go` cases, at decider level.
@Suite struct LockTrySyncTests {
    let tables = [key(source1, "tb1"), key(source1, "tb2"), key(source2, "tb1"), key(source2, "tb2")]

    @Test func TestLockTrySyncNormal() throws {
        var h = Harness()
        let base = schema(column("c0", .int))
        let withC1 = schema(column("c0", .int), column("c1", .int))
        try h.register(self.tables, base)
        // A bigger DDL goes downstream at once, from the first table and again from every other.
        for (i, t) in self.tables.enumerated() {
            let op = try h.ddl(t, base, [("ALTER TABLE ADD COLUMN c1 INT", withC1)])
            #expect(op.ddls == ["ALTER TABLE ADD COLUMN c1 INT"])
            #expect(op.stage == .none)
            #expect(hasColumn(h.lock?.joined, "c1"))
            #expect(h.lock?.isSynced == (i == self.tables.count - 1))
        }
        for t in self.tables { try h.done(t) }
        #expect(h.lock == nil, "all tables equal the join and all done: resolved")
        #expect(h.log.contains(.optimism(.lockResolved(lock: lockID))))

        // A smaller DDL goes downstream only from the table that changes the join: the last one.
        for (i, t) in self.tables.enumerated() {
            let op = try h.ddl(t, withC1, [("ALTER TABLE DROP COLUMN c1", base)])
            let last = i == self.tables.count - 1
            #expect(op.ddls == (last ? ["ALTER TABLE DROP COLUMN c1"] : []))
            #expect(op.cols == ["c1"])
            #expect(op.executedDrops == (last ? ["c1"] : []))
            #expect(hasColumn(h.lock?.joined, "c1") == !last)
        }
        for t in self.tables { try h.done(t) }
        #expect(h.lock == nil)
        // Two DDLs in one Info: both bigger, both returned.
        let both = schema(column("c0", .int), column("c2", .int), column("c3", .int))
        let op = try h.ddl(
            self.tables[0], base,
            [("ADD COLUMN c2 INT", schema(column("c0", .int), column("c2", .int))), ("ADD COLUMN c3 INT", both)])
        #expect(op.ddls == ["ADD COLUMN c2 INT", "ADD COLUMN c3 INT"])
        try h.checkReplay()
    }

    @Test func TestLockTrySyncIndex() throws {
        var h = Harness()
        let index = IndexInfo(name: "idx_c1", kind: .plain, columns: [IndexColumn("c1")])
        let plain = schema(column("c1", .int))
        let indexed = schema(column("c1", .int), indexes: [index])
        try h.register(Array(self.tables.prefix(2)), plain)
        // ADD INDEX makes a table smaller: only the last table's DDL goes downstream.
        #expect(try h.ddl(self.tables[0], plain, [("ADD INDEX idx_c1(c1)", indexed)]).ddls == [])
        #expect(try h.ddl(self.tables[1], plain, [("ADD INDEX idx_c1(c1)", indexed)]).ddls == ["ADD INDEX idx_c1(c1)"])
        try h.done(self.tables[0])
        try h.done(self.tables[1])
        #expect(h.lock == nil)
        // DROP INDEX makes it bigger: the first table's DDL goes downstream.
        #expect(try h.ddl(self.tables[0], indexed, [("DROP INDEX idx_c1", plain)]).ddls == ["DROP INDEX idx_c1"])
        #expect(try h.ddl(self.tables[1], indexed, [("DROP INDEX idx_c1", plain)]).ddls == ["DROP INDEX idx_c1"])
        try h.checkReplay()
    }

    @Test func TestLockTrySyncNullNotNull() throws {
        var h = Harness()
        let nullable = schema(column("c1", .int, nullable: true, default: .number("1234")))
        let notNull = schema(column("c1", .int, nullable: false, default: .number("1234")))
        let pair = Array(self.tables.prefix(2))
        try h.register(pair, nullable)
        let toNotNull = "ALTER TABLE MODIFY c1 INT NOT NULL DEFAULT 1234"
        #expect(try h.ddl(pair[0], nullable, [(toNotNull, notNull)]).ddls == [])
        #expect(try h.ddl(pair[1], nullable, [(toNotNull, notNull)]).ddls == [toNotNull])
        for t in pair { try h.done(t) }
        let toNull = "ALTER TABLE MODIFY c1 INT NULL DEFAULT 1234"
        #expect(try h.ddl(pair[0], notNull, [(toNull, nullable)]).ddls == [toNull])
        #expect(try h.ddl(pair[1], notNull, [(toNull, nullable)]).ddls == [toNull])
        try h.checkReplay()
    }

    @Test func TestLockTrySyncIntBigint() throws {
        var h = Harness()
        let int = schema(column("c1", .int, nullable: false, default: .number("1234")))
        let bigint = schema(column("c1", .bigint, nullable: false, default: .number("1234")))
        let pair = Array(self.tables.prefix(2))
        try h.register(pair, int)
        let widen = "ALTER TABLE MODIFY c1 BIGINT NOT NULL DEFAULT 1234"
        #expect(try h.ddl(pair[0], int, [(widen, bigint)]).ddls == [widen])
        #expect(h.lock?.joined?.column(named: "c1")?.type.base == .bigint)
        try h.checkReplay()
    }

    @Test func TestLockTrySyncNoDiff() throws {
        var h = Harness()
        // As in DM's test, `c1 INT` (nullable): the lattice here does not give a NOT NULL column a
        // standard default when joining it with "missing", see the report.
        let before = schema(column("c1", .int))
        let renamed = schema(column("c2", .int))
        try h.register(Array(self.tables.prefix(2)), before)
        let op = try h.ddl(self.tables[0], before, [("ALTER TABLE RENAME COLUMN c1 TO c2", renamed)])
        #expect(op.stage == .skipAndWaitForRedirect)
        #expect(op.ddls == [])
        #expect(h.lock?.tables[self.tables[0]]?.conflict == renamed)
        #expect(hasColumn(h.lock?.joined, "c1"), "the joined schema keeps the old name until every table renames")
        try h.checkReplay()
    }

    @Test func TestLockTrySyncConflictNonIntrusive() throws {
        var h = Harness()
        let base = schema()
        let text = schema(column("c1", .text))
        let datetime2 = schema(column("c1", .datetime), column("c2", .int))
        let (tb1, tb2) = (self.tables[0], self.tables[1])
        try h.register([tb1, tb2], base)
        #expect(try h.ddl(tb1, base, [("ADD COLUMN c1 TEXT", text)]).ddls == ["ADD COLUMN c1 TEXT"])
        let steps = [("ADD COLUMN c1 DATETIME", schema(column("c1", .datetime))), ("ADD COLUMN c2 INT", datetime2)]
        let conflicting = try h.ddl(tb2, base, steps)
        #expect(conflicting.stage == .detected)
        #expect(conflicting.ddls == [])
        #expect(h.lock?.joined?.column(named: "c1")?.type.base == .text, "joined unchanged")
        #expect(h.lock?.blockDDLOwner == tb2.description)
        #expect(h.lock?.blockingDDLs(of: tb2) == steps.map(\.0))
        try h.done(tb1)
        let drop = try h.ddl(tb1, text, [("DROP COLUMN c1", base)])
        #expect(drop.ddls == ["DROP COLUMN c1"])
        #expect(drop.cols == ["c1"])
        // The worker retries its Info: now nothing conflicts.
        let retried = try h.ddl(tb2, base, steps)
        #expect(retried.stage == .none)
        #expect(retried.ddls == steps.map(\.0))
        try h.checkReplay()
    }

    @Test func TestLockTrySyncConflictIntrusive() throws {
        var h = Harness()
        let base = schema()
        let text = schema(column("c1", .text))
        let (tb1, tb2) = (self.tables[0], self.tables[1])
        try h.register([tb1, tb2], base)
        try h.ddl(tb1, base, [("ADD COLUMN c1 TEXT", text)])
        #expect(try h.ddl(tb2, base, [("ADD COLUMN c1 DATETIME", schema(column("c1", .datetime)))]).stage == .detected)
        // tb2 re-issues the DDL the way tb1 did it: resolved, no conflict left.
        let redone = try h.ddl(tb2, base, [("ADD COLUMN c1 TEXT", text)])
        #expect(redone.stage == .none)
        #expect(redone.ddls == ["ADD COLUMN c1 TEXT"])
        try h.done(tb1)
        try h.done(tb2)
        #expect(h.lock == nil)
        try h.checkReplay()
    }

    @Test(arguments: [(4, 5), (5, 4)])
    func TestAddDifferentFieldLenColumns(first: Int, second: Int) throws {
        var h = Harness()
        let base = schema()
        let (tb1, tb2) = (self.tables[0], self.tables[1])
        try h.register([tb1, tb2], base)
        let a = try h.ddl(tb1, base, [("ADD COLUMN c1 VARCHAR(\(first))", schema(column("c1", .varchar, length: first)))])
        #expect(a.stage == .none)
        let b = try h.ddl(tb2, base, [("ADD COLUMN c1 VARCHAR(\(second))", schema(column("c1", .varchar, length: second)))])
        #expect(b.stage == .error, "the subtask pauses, as DM's does")
        #expect(b.message.contains("add columns with different field lengths"))
        #expect(h.lock?.tables[tb2]?.schema == base, "reverted to the schema before the Info")
        try h.checkReplay()
    }

    @Test func TestAddNotFullyDroppedColumns() throws {
        var h = Harness()
        let abc = schema(column("a", .int), column("b", .int), column("c", .int))
        let ab = schema(column("a", .int), column("b", .int))
        let a = schema(column("a", .int))
        let (tb1, tb2) = (self.tables[0], self.tables[1])
        try h.register([tb1, tb2], abc)
        #expect(try h.ddl(tb1, abc, [("DROP COLUMN c", ab)]).ddls == [])
        try h.done(tb1)
        #expect(try h.ddl(tb1, ab, [("DROP COLUMN b", a)]).ddls == [])
        try h.done(tb1)
        #expect(h.lock?.droppedColumns["c"]?[tb1] == .partiallyDone)
        let dropB = try h.ddl(tb2, abc, [("DROP COLUMN b", schema(column("a", .int), column("c", .int)))])
        #expect(dropB.ddls == ["DROP COLUMN b"])
        let events = try h.done(tb2)
        #expect(events.contains(.droppedColumnCleared(lock: lockID, column: "b")), "b is gone downstream and done everywhere")
        // b is fully dropped: re-adding it is fine. c is still downstream: re-adding it would resurrect old values.
        #expect(try h.ddl(tb1, a, [("ADD COLUMN b INT", ab)]).stage == .none)
        try h.done(tb1)
        let readd = try h.ddl(tb1, ab, [("ADD COLUMN c INT", abc)])
        #expect(readd.stage == .error, "the subtask pauses, as DM's does")
        #expect(readd.message.contains("add column c that wasn't fully dropped in downstream"))
        try h.checkReplay()
    }
}
