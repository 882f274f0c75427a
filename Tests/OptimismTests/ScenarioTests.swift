import Domain
import Optimism
import Schema
import Testing

/// dm-reference §3 optimistic scenarios and pain points, at decider level.
@Suite struct ScenarioTests {
    let s1t1 = key(source1, "tb1")
    let s1t2 = key(source1, "tb2")
    let s2t1 = key(source2, "tb1")
    let s2t2 = key(source2, "tb2")

    /// S03 / DM_004: the first table's ADD COLUMN reaches the downstream at once.
    @Test func S03_addColumnGoesDownstreamImmediately() throws {
        var h = Harness()
        let base = schema()
        let added = schema(column("new_col1", .int))
        try h.register([s1t1, s1t2], base)
        #expect(try h.ddl(s1t1, base, [("ALTER TABLE ADD COLUMN new_col1 INT", added)]).ddls.count == 1)
        try h.done(s1t1)
        #expect(h.lock != nil, "tb2 has not added the column yet")
        #expect(try h.ddl(s1t2, base, [("ALTER TABLE ADD COLUMN new_col1 INT", added)]).ddls.count == 1)
        try h.done(s1t2)
        #expect(h.lock == nil)
        #expect(h.state.sourceTables[task]?[source1]?[downstream]?[s1t2.table] == added, "resolved schemas go back to the registry")
        try h.checkReplay()
    }

    /// S05 / DM_013 and S07 / DM_014: two columns added in the same or the opposite order.
    @Test(arguments: [false, true])
    func S05_S07_twoColumnsAnyOrder(opposite: Bool) throws {
        var h = Harness()
        let base = schema()
        let one = schema(column("new_col1", .int)), two = schema(column("new_col2", .int))
        let both = schema(column("new_col1", .int), column("new_col2", .int))
        let bothReversed = schema(column("new_col2", .int), column("new_col1", .int))
        try h.register([s1t1, s1t2], base)
        try h.ddl(s1t1, base, [("ADD COLUMN new_col1 INT", one)])
        try h.done(s1t1)
        try h.ddl(s1t1, one, [("ADD COLUMN new_col2 INT", both)])
        try h.done(s1t1)
        if opposite {
            #expect(try h.ddl(s1t2, base, [("ADD COLUMN new_col2 INT", two)]).stage == .none)
            try h.done(s1t2)
            #expect(try h.ddl(s1t2, two, [("ADD COLUMN new_col1 INT", bothReversed)]).stage == .none)
        } else {
            try h.ddl(s1t2, base, [("ADD COLUMN new_col1 INT", one)])
            try h.done(s1t2)
            try h.ddl(s1t2, one, [("ADD COLUMN new_col2 INT", both)])
        }
        try h.done(s1t2)
        #expect(h.lock == nil, "column order is outside the lattice: the lock resolves")
        try h.checkReplay()
    }

    /// S15 / DM_031: the same column with different types blocks the second table.
    @Test func S15_DM031_differentTypesBlock() throws {
        var h = Harness()
        let base = schema()
        try h.register([s1t1, s2t1], base)
        try h.ddl(s1t1, base, [("ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT", schema(column("new_col1", .int)))])
        let blocked = try h.ddl(
            s2t1, base, [("ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` VARCHAR(10)", schema(column("new_col1", .varchar, length: 10)))])
        #expect(blocked.stage == .detected)
        #expect(h.lock?.blockDDLOwner == "mysql-replica-02-`shardddl1`.`tb1`")
        #expect(h.lock?.blockingDDLs(of: s2t1) == ["ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` VARCHAR(10)"])
        try h.checkReplay()
    }

    /// S19 / DM_035, DM_104: three tables add two defaulted columns in opposite orders.
    @Test func S19_oppositeOrdersWithDefaults() throws {
        var h = Harness()
        let base = schema()
        let c1 = column("new_col1", .int, nullable: false, default: .number("10"))
        let c2 = column("new_col2", .int, nullable: false, default: .number("20"))
        try h.register([s1t1, s2t1, s2t2], base)
        try h.ddl(s1t1, base, [("ADD new_col1", schema(c1)), ("ADD new_col2", schema(c1, c2))])
        for t in [s2t1, s2t2] {
            let op = try h.ddl(t, base, [("ADD new_col2", schema(c2)), ("ADD new_col1", schema(c2, c1))])
            #expect(op.stage == .none)
        }
        for t in [s1t1, s2t1, s2t2] { try h.done(t) }
        #expect(h.lock == nil)
        try h.checkReplay()
    }

    /// S21 / DM_130: different defaults block two tables; `unlock --action skip` releases both
    /// (one of them is in "skip and wait for redirect", which DM cannot unlock, tiflow#12840).
    @Test func S21_DM130_unlockSkip() throws {
        var h = Harness()
        let base = schema(column("b", .int, nullable: false))
        let zero = schema(column("b", .int, default: .number("0")))
        let minusOne = schema(column("b", .int, default: .number("-1")))
        try h.register([s1t1, s2t1, s2t2], base)
        try h.ddl(s1t1, base, [("ALTER TABLE MODIFY COLUMN b INT DEFAULT 0", zero)])
        try h.done(s1t1)
        let first = try h.ddl(s2t1, base, [("ALTER TABLE MODIFY COLUMN `b` INT DEFAULT -1", minusOne)])
        let second = try h.ddl(s2t2, base, [("ALTER TABLE MODIFY COLUMN `b` INT DEFAULT -1", minusOne)])
        #expect(first.stage.isStuck && second.stage.isStuck)
        #expect(h.lock?.stuckTables.count == 2)
        #expect(h.lock?.blockDDLOwner == s2t1.description)
        try h.run(.unlock(lock: lockID, table: s2t1, action: .skip))
        #expect(h.stage(s2t1) == .unlocked)
        #expect(h.lock?.tables[s2t1]?.operation?.ddls == [])
        if h.lock?.tables[s2t2]?.isStuck == true {
            try h.run(.unlock(lock: lockID, table: s2t2, action: .skip))
        }
        #expect(h.lock?.blockDDLOwner == "")
        for t in [s2t1, s2t2] where h.lock?.tables[t]?.done == false { try h.done(t) }
        #expect(h.lock == nil, "released tables do not keep the lock alive")
        try h.checkReplay()
    }

    /// S26 / DM_049 RENAME_COLUMN_OPTIMISTIC: the first two renames skip and wait; the last one
    /// resolves, the others are redirected and replay their rename.
    @Test func S26_renameColumnRedirect() throws {
        var h = Harness()
        let before = schema(column("a", .int), column("b", .varchar, length: 10))
        let after = schema(column("c", .int), column("b", .varchar, length: 10))
        let rename = "ALTER TABLE CHANGE a c INT"
        try h.register([s1t1, s2t1, s2t2], before)
        #expect(try h.ddl(s1t1, before, [(rename, after)]).stage == .skipAndWaitForRedirect)
        #expect(try h.ddl(s2t1, before, [(rename, after)]).stage == .skipAndWaitForRedirect)
        let events = try h.run(
            .reportInfo(
                OptimismInfo(
                    task: task, source: s2t2.source, upstream: s2t2.table, downstream: downstream, ddls: [rename],
                    tableInfoBefore: before, tableInfosAfter: [after]), strict: false))
        let redirects = events.compactMap { if case .conflictsResolved(_, _, let r, _) = $0 { r } else { nil } }.flatMap { $0 }
        #expect(Set(redirects.map(\.table)) == [s1t1, s2t1])
        #expect(redirects.allSatisfy { $0.stage == .resolved })
        #expect(h.stage(s2t2) == ConflictStage.none)
        #expect(h.lock?.tables[s2t2]?.operation?.ddls == [rename], "the last table runs the rename downstream")
        #expect(hasColumn(h.lock?.joined, "c") && !hasColumn(h.lock?.joined, "a"))
        try h.done(s2t2)
        // The redirected tables replay their skipped rename: idempotent, executed again (downstream ignores it).
        for t in [s1t1, s2t1] {
            let replay = try h.ddl(t, before, [(rename, after)])
            #expect(replay.stage == .none)
            try h.done(t)
        }
        #expect(h.lock == nil, "no DDL lock exists")
        // Then `ADD COLUMN d` the same way.
        let withD = schema(column("c", .int), column("b", .varchar, length: 10), column("d", .int))
        for t in [s1t1, s2t1, s2t2] {
            #expect(try h.ddl(t, after, [("ADD COLUMN d INT", withD)]).stage == .none)
            try h.done(t)
        }
        #expect(h.lock == nil)
        try h.checkReplay()
    }
}
