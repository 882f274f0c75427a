import BinaryCoding
import Domain
import Optimism
import Schema
import Testing

/// Strict mode, re-sent Infos, operator exits and tables or sources leaving a lock.
@Suite struct LifecycleTests {
    let s1t1 = key(source1, "tb1")
    let s2t1 = key(source2, "tb1")
    let s2t2 = key(source2, "tb2")
    let before = schema(column("a", .int), column("b", .int))
    let renamed = schema(column("c", .int), column("b", .int))

    /// P9/P10: in strict mode a conflict is an error at once, and the table is not left half-way.
    @Test func strictModeErrorsImmediately() throws {
        var h = Harness()
        try h.register([s1t1, s2t1], self.before)
        let op = try h.ddl(s1t1, self.before, [("RENAME COLUMN a TO c", self.renamed)], strict: true)
        #expect(op.stage == .error)
        #expect(op.message.contains("strict"))
        #expect(h.lock?.tables[s1t1]?.conflict == nil)
        #expect(h.lock?.tables[s1t1]?.schema == self.before)
        #expect(h.lock?.blockDDLOwner == s1t1.description)
        try h.checkReplay()
    }

    /// A worker that re-sends the Info it already has an operation for gets no new operation;
    /// once done, a re-sent Info is treated as idempotent (DM's prev ≠ master view case).
    @Test func idempotentResentInfo() throws {
        var h = Harness()
        let added = schema(column("a", .int), column("b", .int), column("d", .int))
        try h.register([s1t1, s2t1], self.before)
        let first = try h.ddl(s1t1, self.before, [("ADD COLUMN d INT", added)])
        let stateAfterFirst = h.state.locks
        let events = try h.run(
            .reportInfo(
                OptimismInfo(
                    task: task, source: source1, upstream: s1t1.table, downstream: downstream, ddls: ["ADD COLUMN d INT"],
                    tableInfoBefore: self.before, tableInfosAfter: [added]), strict: false))
        #expect(events.count == 1, "only the fact is recorded")
        #expect(h.state.locks == stateAfterFirst)
        try h.done(s1t1)
        let again = try h.ddl(s1t1, self.before, [("ADD COLUMN d INT", added)])
        #expect(again.ddls == first.ddls)
        #expect(again.id > first.id)
        #expect(h.lock?.tables[s1t1]?.schema == added)
        // A done for the superseded operation is stale and stays visible.
        let stale = try h.run(.operationDone(lock: lockID, table: s1t1, operation: first.id))
        #expect(stale.count == 1)
        if case .operationDoneRejected = stale.first {} else { Issue.record("expected a rejected done, got \(stale)") }
        try h.checkReplay()
    }

    /// P7 / tiflow#12840: a table in "skip and wait for redirect" can be unlocked (DM refuses).
    @Test(arguments: [UnlockAction.skip, .exec])
    func unlockInSkipAndWaitForRedirect(action: UnlockAction) throws {
        var h = Harness()
        try h.register([s1t1, s2t1], self.before)
        #expect(try h.ddl(s1t1, self.before, [("RENAME COLUMN a TO c", self.renamed)]).stage == .skipAndWaitForRedirect)
        try h.run(.unlock(lock: lockID, table: s1t1, action: action))
        let op = try #require(h.lock?.tables[s1t1]?.operation)
        #expect(op.stage == .unlocked)
        #expect(op.ddls == (action == .exec ? ["RENAME COLUMN a TO c"] : []))
        #expect(h.lock?.tables[s1t1]?.conflict == nil)
        #expect(h.lock?.tables[s1t1]?.schema == (action == .exec ? self.renamed : self.before))
        try h.done(s1t1)
        #expect(h.lock == nil, "the released table does not hold the lock")
        #expect(throws: Optimism.Error.self) { try Optimism.decide(.unlock(lock: lockID, table: self.s1t1, action: action), h.state) }
        try h.checkReplay()
    }

    @Test func unlockRefusesTablesThatAreNotStuck() throws {
        var h = Harness()
        try h.register([s1t1, s2t1], self.before)
        try h.ddl(s1t1, self.before, [("ADD COLUMN d INT", schema(column("a", .int), column("b", .int), column("d", .int)))])
        do {
            _ = try Optimism.decide(.unlock(lock: lockID, table: s1t1, action: .skip), h.state)
            Issue.record("unlock of a table that is not stuck must fail")
        } catch {
            #expect(error.code == .tableNotStuck)
        }
        do {
            _ = try Optimism.decide(.forceRemove(lock: "nope-`a`.`b`"), h.state)
            Issue.record("force-remove of an unknown lock must fail")
        } catch {
            #expect(error.code == .lockNotFound)
        }
    }

    /// `--force-remove` releases every stuck table, then drops the lock; schemas go back to the registry.
    @Test func forceRemoveReleasesStuckTables() throws {
        var h = Harness()
        try h.register([s1t1, s2t1, s2t2], self.before)
        try h.ddl(s1t1, self.before, [("RENAME COLUMN a TO c", self.renamed)])
        let events = try h.run(.forceRemove(lock: lockID))
        #expect(events.contains { if case .operationIssued(let op, _) = $0 { op.table == self.s1t1 && op.stage == .unlocked } else { false } })
        #expect(events.last == .lockRemoved(lock: lockID, reason: .forced))
        #expect(h.lock == nil)
        #expect(h.state.sourceTables[task]?[source1]?[downstream]?[s1t1.table] == self.before)
        try h.checkReplay()
    }

    /// A table dropped upstream mid-lock leaves it; the join is recomputed and the lock resolves.
    @Test func tableRemovedMidLock() throws {
        var h = Harness()
        let dropped = schema(column("a", .int))
        try h.register([s1t1, s2t1, s2t2], self.before)
        try h.ddl(s1t1, self.before, [("DROP COLUMN b", dropped)])
        try h.done(s1t1)
        try h.ddl(s2t1, self.before, [("DROP COLUMN b", dropped)])
        try h.done(s2t1)
        #expect(hasColumn(h.lock?.joined, "b"), "s2.tb2 still has b")
        let events = try h.run(.sourceTables(task: task, source: source2, tables: [downstream: [s2t1.table: dropped]]))
        #expect(events.contains { if case .tableRemoved(_, let t, let joined) = $0 { t == self.s2t2 && !hasColumn(joined, "b") } else { false } })
        #expect(events.last == .lockResolved(lock: lockID))
        try h.checkReplay()
    }

    /// P18 / tiflow#3629: after a source leaves, the others' DROP COLUMN reaches the downstream.
    @Test func P18_sourceLeftTaskThenDropColumn() throws {
        var h = Harness()
        let source3: SourceID = "mysql-replica-03"
        let s3t1 = key(source3, "tb1")
        let dropped = schema(column("a", .int))
        try h.register([s1t1, s2t1, s3t1], self.before)
        try h.ddl(s1t1, self.before, [("ADD COLUMN z INT", schema(column("a", .int), column("b", .int), column("z", .int)))])
        try h.run(.sourceLeftTask(task: task, source: source1))
        #expect(h.lock?.tables[s1t1] == nil)
        #expect(!hasColumn(h.lock?.joined, "z"), "the joined schema is recomputed without the source")
        #expect(h.state.sourceTables[task]?[source1] == nil)
        #expect(try h.ddl(s2t1, self.before, [("DROP COLUMN b", dropped)]).ddls == [])
        #expect(try h.ddl(s3t1, self.before, [("DROP COLUMN b", dropped)]).ddls == ["DROP COLUMN b"])
        try h.checkReplay()
    }

    /// stop-task drops every lock and table of the task (P6).
    @Test func taskRemovedDropsEverything() throws {
        var h = Harness()
        try h.register([s1t1, s2t1], self.before)
        try h.ddl(s1t1, self.before, [("RENAME COLUMN a TO c", self.renamed)])
        let events = try h.run(.taskRemoved(task: task))
        #expect(events == [.lockRemoved(lock: lockID, reason: .taskRemoved), .taskRemoved(task: task)])
        #expect(h.state.sourceTables.isEmpty && h.state.locks.isEmpty)
        #expect(h.state.nextOperationID > 1, "operation ids stay unique if the task comes back")
        #expect(try h.run(.taskRemoved(task: task)).isEmpty)
        try h.checkReplay()
    }

    /// A malformed Info is kept visible with its reason instead of being dropped (dm#628).
    @Test func malformedInfoIsRecordedAsRejected() throws {
        var h = Harness()
        let info = OptimismInfo(
            task: task, source: source1, upstream: s1t1.table, downstream: downstream, ddls: ["ADD COLUMN x INT"],
            tableInfoBefore: self.before, tableInfosAfter: [])
        let events = try h.run(.reportInfo(info, strict: false))
        #expect(events.count == 1)
        if case .infoRejected(let rejected, let reason) = events.first {
            #expect(rejected == info)
            #expect(reason.contains("1 DDLs, 0 schemas"))
        } else {
            Issue.record("expected infoRejected, got \(events)")
        }
        #expect(h.lock == nil)
    }
}
