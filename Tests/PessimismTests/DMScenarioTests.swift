import BraidTestSupport
import Domain
import Pessimism
import Testing

/// dm-reference §3 scenarios, modelled at the master: what each source's worker reports once its
/// level-1 (intra-source) group is synced, and what the leader must decide.
@Suite("DM shard-DDL scenarios (pessimistic)")
struct DMScenarioTests {
    typealias F = Fixture
    static let addInt = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT"
    static let addFloat = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` FLOAT"
    static let addInt2 = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col2` INT"
    static let addFloat2 = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col2` FLOAT"

    @Test("S02 DM_002/003: single source, two tables: the source's one Info syncs the lock at once")
    func singleSourceSyncsImmediately() throws {
        var h = Harness(taskSources: [F.source1])
        let info = F.info(F.source1, Self.addInt)
        #expect(
            try h.report(info) == [
                .infoReported(info: info, taskSources: [F.source1]),
                .lockCreated(
                    lock: F.lock,
                    serial: 1,
                    task: F.task,
                    downstream: F.table,
                    owner: F.source1,
                    ddls: [Self.addInt],
                    sources: nil  // the owner's Info's task sources
                ),
                F.exec(F.source1, [Self.addInt]),
            ]
        )
        #expect(
            try h.done(F.source1) == [
                F.done(F.source1), .lockResolved(lock: F.lock), .lockRemoved(lock: F.lock, reason: .resolved),
            ]
        )
        #expect(h.state.isIdle)
    }

    @Test("S04 DM_006-009: two sources, same DDL: exec to owner, skip to the other, then resolved")
    func doubleSourceSameDDL() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.addInt))
        #expect(h.state.lockSummaries().map(\.unsynced) == [[F.source2]])
        #expect(
            try h.report(F.info(F.source2, Self.addInt)) == [
                .infoReported(info: F.info(F.source2, Self.addInt), taskSources: nil),  // = the lock's
                .sourceSynced(lock: F.lock, source: F.source2),
                F.exec(F.source1, [Self.addInt]),
            ]
        )
        #expect(try h.done(F.source1) == [F.done(F.source1), F.skip(F.source2, [Self.addInt])])
        #expect(
            try h.done(F.source2) == [
                F.done(F.source2), .lockResolved(lock: F.lock), .lockRemoved(lock: F.lock, reason: .resolved),
            ]
        )
        #expect(h.state.isIdle)
        #expect(h.replayed() == h.state)
    }

    @Test("S05 DM_010: two DDLs in sequence become two locks, one after the other")
    func sequenceOfDDLs() throws {
        var h = Harness(taskSources: [F.source1])
        for ddl in [Self.addInt, Self.addInt2] {
            try h.report(F.info(F.source1, ddl))
            #expect(h.state.lock(F.lock)?.ddls == [ddl])
            try h.done(F.source1)
        }
        #expect(h.state.locks.isEmpty)
    }

    @Test("S05 + dm#1253: a source's next DDL arriving while the lock still resolves waits, then starts the next lock")
    func nextDDLWaitsForResolvingLock() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.addInt))
        try h.report(F.info(F.source2, Self.addInt))
        try h.done(F.source1)  // skip issued to source2, not yet done
        let next = F.info(F.source1, Self.addInt2)
        #expect(try h.report(next) == [.infoReported(info: next, taskSources: nil)])
        #expect(h.state.inFlightInfo(task: F.task, source: F.source1) == next)
        #expect(h.state.waitingInfos(for: F.lock) == [next])
        #expect(
            try h.done(F.source2) == [
                F.done(F.source2), .lockResolved(lock: F.lock), .lockRemoved(lock: F.lock, reason: .resolved),
                .lockCreated(
                    lock: F.lock,
                    serial: 2,
                    task: F.task,
                    downstream: F.table,
                    owner: F.source1,
                    ddls: [Self.addInt2],
                    sources: nil
                ),
            ]
        )
        try h.report(F.info(F.source2, Self.addInt2))
        #expect(h.state.lock(F.lock)?.execOperation?.source == F.source1)
        #expect(h.replayed() == h.state)
    }

    @Test("S06 DM_011: int vs float on the other source: rejected with DM's 'is different with'")
    func differentColumnTypes() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.addInt, Self.addInt2))
        let other = F.info(F.source2, Self.addFloat, Self.addFloat2)
        let events = try h.report(other)
        #expect(
            events == [
                .infoRejected(
                    info: other,
                    reason: .ddlsDiffer(lockDDLs: [Self.addInt, Self.addInt2]),
                    taskSources: h.taskSources
                )
            ]
        )
        let rejected = try #require(h.state.rejectedInfos().first)
        #expect(rejected.message.contains("is different with"))
        #expect(rejected.message.hasPrefix("sharding ddls in ddl lock [\(Self.addInt) \(Self.addInt2)]"))
        #expect(h.state.lockSummaries().map(\.unsynced) == [[F.source2]])
        #expect(h.state.lock(F.lock)?.operations.isEmpty == true)
    }

    @Test("S07 DM_012: the same two DDLs in a different order per source: the first Infos differ")
    func differentOrder() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.addInt))
        let events = try h.report(F.info(F.source2, Self.addInt2))
        #expect(events.count == 1)
        guard case .infoRejected(_, .ddlsDiffer, _) = events[0] else {
            Issue.record("expected a rejection, got \(events)"); return
        }
        #expect(h.state.rejectedInfos().map(\.message).allSatisfy { $0.contains("is different with") })
    }

    @Test("DDLs of one Info compare as a set: order inside the statement list does not matter")
    func ddlsCompareAsSet() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.addInt, Self.addInt2))
        let events = try h.report(F.info(F.source2, Self.addInt2, Self.addInt))
        #expect(events.last == F.exec(F.source1, [Self.addInt, Self.addInt2]))
    }

    @Test("S15 DM_030: DML interleaving does not matter to the master; same DDL syncs")
    func dm030() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.addInt))
        try h.report(F.info(F.source2, Self.addInt))
        try h.done(F.source1)
        try h.done(F.source2)
        #expect(h.state.locks.isEmpty)
    }

    @Test("S15 DM_031: int vs varchar(10): rejected, the lock keeps waiting for source2")
    func dm031() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.addInt))
        let other = F.info(F.source2, "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` VARCHAR(10)")
        #expect(
            try h.report(other) == [
                .infoRejected(info: other, reason: .ddlsDiffer(lockDDLs: [Self.addInt]), taskSources: h.taskSources)
            ]
        )
        #expect(h.state.lock(F.lock)?.unsyncedSources == [F.source2])
    }

    @Test("S20 DM_SAME_DDL_TWICE: add/drop/add/drop/add of one column: five locks in turn, each resolved")
    func sameDDLTwice() throws {
        var h = Harness()
        let drop = "ALTER TABLE `shardddl`.`tb` DROP COLUMN `new_col1`"
        let sequence = [Self.addInt, drop, Self.addInt, drop, Self.addInt]
        // source2 runs ahead: it reports each DDL first and reports the next one right after its
        // own part is done, while source1 has not finished skipping yet.
        try h.report(F.info(F.source2, sequence[0]))
        for (index, ddl) in sequence.enumerated() {
            try h.report(F.info(F.source1, ddl))
            #expect(h.state.lock(F.lock)?.ddls == [ddl])
            #expect(h.state.lock(F.lock)?.owner == F.source2)
            try h.done(F.source2)
            if index + 1 < sequence.count {
                try h.report(F.info(F.source2, sequence[index + 1]))  // waits
            }
            try h.done(F.source1)
        }
        #expect(h.state.locks.isEmpty && h.state.infos.isEmpty)
        let resolved = h.log.filter { if case .pessimism(.lockResolved) = $0 { true } else { false } }
        #expect(resolved.count == 5)
        #expect(h.replayed() == h.state)
    }

    @Test("S21 DM_037: default 0 vs default -1: rejected")
    func dm037() throws {
        var h = Harness(taskSources: [F.source1, F.source2])
        try h.report(F.info(F.source1, "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT DEFAULT 0"))
        let events = try h.report(F.info(F.source2, "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT DEFAULT -1"))
        #expect(events.count == 1)
        #expect(h.state.rejectedInfos().first?.message.contains("is different with") == true)
    }

    @Test("S21 DM_102: unlock a lock with a rejected Info: exec to owner, then skip to the rejected source")
    func dm102Unlock() throws {
        var h = Harness()
        let zero = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT DEFAULT 0"
        try h.report(F.info(F.source1, zero))
        try h.report(F.info(F.source2, "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT DEFAULT -1"))
        let summary = try #require(h.state.lockSummaries().first)
        #expect(summary.id.rawValue == "test-`shardddl`.`tb`")
        #expect(summary.synced == [F.source1] && summary.unsynced == [F.source2])
        #expect(
            try h.run(.unlock(F.lock, owner: nil, forceRemove: false)) == [
                .unlockRequested(lock: F.lock, owner: nil, forceRemove: false),
                F.exec(F.source1, [zero]),
            ]
        )
        #expect(try h.done(F.source1) == [F.done(F.source1), F.skip(F.source2, [zero])])
        #expect(h.state.rejectedInfos().isEmpty)  // answered by the skip
        #expect(
            try h.done(F.source2) == [
                F.done(F.source2), .lockResolved(lock: F.lock), .lockRemoved(lock: F.lock, reason: .resolved),
            ]
        )
        #expect(h.state.isIdle)
    }
}
