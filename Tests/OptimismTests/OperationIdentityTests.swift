import Domain
import Optimism
import Schema
import Testing

/// Issue 9, bugs 1 and 4: an operation keeps one identity for its whole life, and no two
/// operations of a target table ever share one, across the successive locks of that table.
@Suite struct OperationIdentityTests {
    let s1t1 = key(source1, "tb1")
    let s2t1 = key(source2, "tb1")
    let base = schema(column("a", .int), column("b", .int))

    /// Bug 1: `ADD COLUMN x<i>` on both sources, lock resolved, then `ADD COLUMN y<i>`: the lock id
    /// is the same each round, so operation ids restarting per lock handed the worker an id it had
    /// already completed. Every id must be new.
    @Test func idsNeverRepeatAcrossSuccessiveLocksOfOneTable() throws {
        var h = Harness()
        try h.register([s1t1, s2t1], self.base)
        var current = self.base
        var seen: Set<UInt64> = []
        for round in 0..<4 {
            let name = "x\(round)"
            let next = TableInfo(
                schema: current.schema, table: current.table,
                columns: current.columns + [column(name, .int)], indexes: current.indexes)
            for table in [s1t1, s2t1] {
                let op = try h.ddl(table, current, [("ADD COLUMN \(name) INT", next)])
                #expect(op.lock == lockID)
                #expect(seen.insert(op.id).inserted, "round \(round): operation id \(op.id) of \(table) was issued before")
                try h.done(table)
            }
            #expect(h.lock == nil, "round \(round): the lock resolved")
            current = next
        }
        try h.checkReplay()
    }

    /// Bug 4: a worker re-sending the Info it is stuck on (after its restart, or a master restart)
    /// gets the same decision under the same operation: nothing new is issued.
    @Test func resentStuckInfoKeepsItsOperation() throws {
        var h = Harness()
        let renamed = schema(column("c", .int), column("b", .int))
        try h.register([s1t1, s2t1], self.base)
        let skip = try h.ddl(s1t1, self.base, [("CHANGE a c INT", renamed)])
        #expect(skip.stage == .skipAndWaitForRedirect)
        let info = try #require(h.lock?.tables[s1t1]?.lastInfo)
        let events = try h.run(.reportInfo(info, strict: false))
        #expect(events == [.infoReported(info)], "only the fact is recorded")
        #expect(h.lock?.tables[s1t1]?.operation == skip)

        // The other table resolves it: the redirect is a new operation, as it must be.
        let resolving = try h.ddl(s2t1, self.base, [("CHANGE a c INT", renamed)])
        #expect(resolving.id > skip.id)
        #expect(h.stage(s1t1) == .resolved)
        try h.checkReplay()
    }

    /// An `error` decision (a column re-added before it was fully dropped) re-sent stays the same
    /// operation, so a paused subtask resumed without a fix pauses again with the same error.
    @Test func resentErrorKeepsItsOperation() throws {
        var h = Harness()
        let a = schema(column("a", .int))
        try h.register([s1t1, s2t1], self.base)
        try h.ddl(s1t1, self.base, [("DROP COLUMN b", a)])
        try h.done(s1t1)
        let readd = try h.ddl(s1t1, a, [("ADD COLUMN b INT", self.base)])
        #expect(readd.stage == .error)
        #expect(readd.message.contains("add column b that wasn't fully dropped in downstream"))
        let info = try #require(h.lock?.tables[s1t1]?.lastInfo)
        let events = try h.run(.reportInfo(info, strict: false))
        #expect(events == [.infoReported(info)])
        #expect(h.lock?.tables[s1t1]?.operation?.id == readd.id)
        try h.checkReplay()
    }
}
