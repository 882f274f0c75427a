import BraidTestSupport
import Domain
import Pessimism
import Testing

/// Behaviour Braid adds to DM's pessimistic mode, each answering a pain point of dm-reference §5.1,
/// plus DM's restart and manual-unlock edge cases.
@Suite("Pessimism beyond DM")
struct BeyondDMTests {
    typealias F = Fixture
    static let add = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT"
    static let addOther = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` BIGINT"

    @Test("DM_098-101: a restarted worker re-sends the same Info: no new events, before or after the exec")
    func idempotentResend() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        #expect(try h.report(F.info(F.source1, Self.add)) == [])
        try h.report(F.info(F.source2, Self.add))
        #expect(try h.report(F.info(F.source1, Self.add)) == [])
        #expect(try h.report(F.info(F.source2, Self.add)) == [])
        try h.done(F.source1)
        #expect(try h.done(F.source1) == [])  // a repeated done is harmless too
    }

    @Test("DM_097 / DM_RestartMaster: a new leader rebuilds the lock from the log and decides the same")
    func leaderChangeMidLock() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        try h.report(F.info(F.source2, Self.add))
        var rebuilt = h
        rebuilt.state = h.replayed()
        #expect(rebuilt.state == h.state)
        // Nothing is re-sent on rebuild; the next fact produces the same decisions on both.
        #expect(try rebuilt.done(F.source1) == h.done(F.source1))
        #expect(try rebuilt.done(F.source2) == h.done(F.source2))
    }

    @Test("P1 dm#628: a rejected Info stays visible, a corrected one later proceeds and clears it")
    func rejectedThenCorrected() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        let wrong = F.info(F.source2, Self.addOther)
        try h.report(wrong)
        #expect(h.state.rejectedInfos().map(\.info) == [wrong])
        #expect(try h.report(wrong) == [])  // the same rejection re-sent is already on record
        let events = try h.report(F.info(F.source2, Self.add))
        #expect(events.last == F.exec(F.source1, [Self.add]))
        #expect(h.state.rejectedInfos().isEmpty)
    }

    @Test("A source has one DDL in flight per task: an Info for another table is rejected meanwhile")
    func oneInFlightPerTask() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        let other = PessimismInfo(
            task: F.task,
            source: F.source1,
            downstream: TableName(schema: "shardddl", table: "tc"),
            ddls: [Self.add]
        )
        #expect(
            try h.report(other) == [
                .infoRejected(
                    info: other,
                    reason: .anotherDDLInFlight(lock: F.lock, ddls: [Self.add]),
                    taskSources: h.taskSources
                )
            ]
        )
        let changed = F.info(F.source1, Self.addOther)
        #expect(
            try h.report(changed) == [
                .infoRejected(info: changed, reason: .ddlsDiffer(lockDDLs: [Self.add]), taskSources: h.taskSources)
            ]
        )
        #expect(h.state.inFlightInfo(task: F.task, source: F.source1) == F.info(F.source1, Self.add))
    }

    @Test("Lock summaries show what shard-ddl-lock prints, plus rejections and waiting sources")
    func lockSummaries() throws {
        var h = Harness(taskSources: [F.source1, F.source2, F.source3])
        try h.report(F.info(F.source1, Self.add))
        try h.report(F.info(F.source2, Self.addOther))
        let summary = try #require(h.state.lockSummaries(task: F.task).first)
        #expect(
            summary.id == F.lock && summary.task == F.task && summary.owner == F.source1 && summary.ddls == [Self.add]
        )
        #expect(summary.synced == [F.source1] && summary.unsynced == [F.source2, F.source3])
        #expect(
            summary.rejected.map(\.info.source) == [F.source2] && summary.operations.isEmpty && summary.unlock == nil
        )
        #expect(h.state.lockSummaries(task: "other").isEmpty)
        try h.report(F.info(F.source2, Self.add))
        try h.report(F.info(F.source3, Self.add))
        #expect(h.state.pendingOperations(task: F.task, source: F.source1).map(\.exec) == [true])
        try h.done(F.source1)
        try h.report(F.info(F.source1, Self.addOther))  // its next DDL
        let after = try #require(h.state.lockSummaries().first)
        #expect(
            after.operations.map(\.description) == [
                "exec mysql-replica-01 done", "skip mysql-replica-02 pending", "skip mysql-replica-03 pending",
            ]
        )
        #expect(after.waiting == [F.source1])
    }

    @Test("An Info from a source outside the task is rejected, not turned into a lock")
    func sourceNotInTask() throws {
        var h = Harness(taskSources: [F.source2])
        let events = try h.report(F.info(F.source1, Self.add))
        #expect(
            events == [
                .infoRejected(info: F.info(F.source1, Self.add), reason: .sourceNotInTask, taskSources: h.taskSources)
            ]
        )
        #expect(h.state.locks.isEmpty)
        // An accepted Info re-sent with a stale source set stays accepted.
        h.taskSources = [F.source1, F.source2]
        try h.report(F.info(F.source2, Self.add))
        h.taskSources = [F.source1]
        #expect(try h.report(F.info(F.source2, Self.add)) == [])
        #expect(h.state.inFlightInfo(task: F.task, source: F.source2) != nil)
    }

    @Test("P5: a source leaving mid-lock releases its part; the remaining synced sources proceed")
    func sourceLeavesMidLock() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        let events = try h.run(.sourceLeftTask(task: F.task, source: F.source2))
        #expect(
            events == [
                .sourceLeftTask(task: F.task, source: F.source2),
                .sourceReleased(lock: F.lock, source: F.source2, newOwner: nil),
                F.exec(F.source1, [Self.add]),
            ]
        )
        #expect(try h.done(F.source1).last == .lockRemoved(lock: F.lock, reason: .resolved))
    }

    @Test("P5: the owner leaves: the smallest synced source becomes owner and executes")
    func ownerLeaves() throws {
        var h = Harness(taskSources: [F.source1, F.source2, F.source3])
        try h.report(F.info(F.source1, Self.add))
        try h.report(F.info(F.source3, Self.add))
        try h.report(F.info(F.source2, Self.add))  // synced: exec to source1
        #expect(h.state.lock(F.lock)?.execOperation?.source == F.source1)
        let events = try h.run(.sourceLeftTask(task: F.task, source: F.source1))
        #expect(
            events == [
                .sourceLeftTask(task: F.task, source: F.source1),
                .sourceReleased(lock: F.lock, source: F.source1, newOwner: F.source2),
                F.exec(F.source2, [Self.add]),
            ]
        )
        try h.done(F.source2)
        #expect(try h.done(F.source3).last == .lockRemoved(lock: F.lock, reason: .resolved))
    }

    @Test("The only synced source leaves: nobody can execute, the lock is abandoned")
    func lastSyncedSourceLeaves() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        let events = try h.run(.sourceLeftTask(task: F.task, source: F.source1))
        #expect(
            events == [
                .sourceLeftTask(task: F.task, source: F.source1), .lockRemoved(lock: F.lock, reason: .abandoned),
            ]
        )
        #expect(h.state.isIdle)
    }

    @Test("P1: a rejected Info is offered again when the lock it disagreed with goes (no re-send needed)")
    func rejectedInfoOfferedAgain() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        let other = F.info(F.source2, Self.addOther)
        try h.report(other)
        let events = try h.run(.sourceLeftTask(task: F.task, source: F.source1))
        #expect(
            events == [
                .sourceLeftTask(task: F.task, source: F.source1),
                .lockRemoved(lock: F.lock, reason: .abandoned),
                .infoReported(info: other, taskSources: [F.source2]),
                .lockCreated(
                    lock: F.lock,
                    serial: 2,
                    task: F.task,
                    downstream: F.table,
                    owner: F.source2,
                    ddls: [Self.addOther],
                    sources: nil  // the re-offered Info's task sources, recorded just before
                ),
                F.exec(F.source2, [Self.addOther], serial: 2),
            ]
        )
        #expect(h.state.lock(F.lock)?.sources == [F.source2])
        #expect(h.state.rejectedInfos().isEmpty)
    }

    @Test("A source whose part is done leaving the task does not disturb the lock")
    func doneSourceLeaves() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        try h.report(F.info(F.source2, Self.add))
        try h.done(F.source1)
        // Only the fact is recorded: source1 is nothing the lock still waits for.
        #expect(
            try h.run(.sourceLeftTask(task: F.task, source: F.source1)) == [
                .sourceLeftTask(task: F.task, source: F.source1)
            ]
        )
        #expect(try h.done(F.source2).last == .lockRemoved(lock: F.lock, reason: .resolved))
    }

    @Test("P6 dm#1543: removing the task drops its locks, Infos and rejections; other tasks stay")
    func taskRemoved() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        try h.report(F.info(F.source2, Self.addOther))  // rejected
        let otherTask = F.info(F.source1, Self.add, task: "other")
        try h.report(otherTask)
        let events = try h.run(.taskRemoved(task: F.task))
        #expect(events == [.taskRemoved(task: F.task), .lockRemoved(lock: F.lock, reason: .taskRemoved)])
        #expect(h.state.lockSummaries().map(\.task) == ["other"])
        #expect(h.state.rejectedInfos().isEmpty)
        #expect(try h.run(.taskRemoved(task: F.task)) == [])
    }

    @Test("Docs scenario 2: a worker restarted after done re-sends its Info: a new lock, resolved by unlock")
    func restartAfterDoneCreatesNewLock() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        try h.report(F.info(F.source2, Self.add))
        try h.done(F.source1)
        try h.done(F.source2)
        #expect(h.state.locks.isEmpty)
        // source2 restarts from a checkpoint before the DDL and re-sends it.
        let events = try h.report(F.info(F.source2, Self.add))
        #expect(
            events.contains(
                .lockCreated(
                    lock: F.lock,
                    serial: 2,
                    task: F.task,
                    downstream: F.table,
                    owner: F.source2,
                    ddls: [Self.add],
                    sources: nil
                )
            )
        )
        #expect(h.state.lock(F.lock)?.sources == h.taskSources)
        #expect(h.state.lock(F.lock)?.unsyncedSources == [F.source1])
        try h.run(.unlock(F.lock, owner: nil, forceRemove: false))
        // The new owner re-executes the DDL, which must be idempotent downstream.
        #expect(h.state.pendingOperations(task: F.task, source: F.source2).map(\.exec) == [true])
        #expect(try h.done(F.source2) == [F.done(F.source2), F.skip(F.source1, [Self.add], serial: 2)])
        try h.done(F.source1)
        #expect(h.state.isIdle)
    }

    @Test("Unlock of an unknown lock is a typed error; nothing is appended")
    func unlockUnknown() {
        #expect(errorCode(.unlock(F.lock, owner: nil, forceRemove: false), Pessimism.State()) == .lockNotFound)
        #expect(errorCode(.operationDone(lock: F.lock, source: F.source1), Pessimism.State()) == .lockNotFound)
    }

    @Test("P5: repeating an unlock without a new choice appends nothing; a forced one still removes")
    func repeatedUnlock() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        try h.run(.unlock(F.lock, owner: nil, forceRemove: false))
        #expect(try h.run(.unlock(F.lock, owner: F.source1, forceRemove: false)) == [])
        let events = try h.run(.unlock(F.lock, owner: nil, forceRemove: true))
        #expect(
            events == [
                .unlockRequested(lock: F.lock, owner: nil, forceRemove: true),
                F.skip(F.source2, [Self.add]),
                .lockRemoved(lock: F.lock, reason: .forced),
            ]
        )
    }

    @Test("Unlock with an unsynced owner is refused (DM's ErrMasterWorkerNotWaitLock)")
    func unlockUnsyncedOwner() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        #expect(errorCode(.unlock(F.lock, owner: F.source2, forceRemove: false), h.state) == .ownerNotSynced)
    }

    @Test("Unlock --owner replaces the owner before any exec; refused once the owner was told to execute")
    func unlockOwnerOverride() throws {
        var h = Harness(taskSources: [F.source1, F.source2, F.source3])
        try h.report(F.info(F.source1, Self.add))
        try h.report(F.info(F.source2, Self.add))
        let events = try h.run(.unlock(F.lock, owner: F.source2, forceRemove: false))
        #expect(
            events == [
                .unlockRequested(lock: F.lock, owner: F.source2, forceRemove: false), F.exec(F.source2, [Self.add]),
            ]
        )
        #expect(errorCode(.unlock(F.lock, owner: F.source1, forceRemove: false), h.state) == .ownerAlreadyExecuting)
        try h.done(F.source2)
        #expect(
            h.state.lock(F.lock)?.operations.values.filter { !$0.exec }.map(\.source).sorted() == [
                F.source1, F.source3,
            ]
        )
    }

    @Test("Unlock --force-remove: exec to owner, skip to the rest, lock gone at once (source never comes back)")
    func forceRemove() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        let events = try h.run(.unlock(F.lock, owner: nil, forceRemove: true))
        #expect(
            events == [
                .unlockRequested(lock: F.lock, owner: nil, forceRemove: true),
                F.exec(F.source1, [Self.add]),
                F.skip(F.source2, [Self.add]),
                .lockRemoved(lock: F.lock, reason: .forced),
            ]
        )
        #expect(h.state.isIdle)
        #expect(errorCode(.operationDone(lock: F.lock, source: F.source1), h.state) == .lockNotFound)
    }

    @Test("P2/P3 dm#1253, dm#936: a late done for an earlier instance of the lock cannot complete the next one")
    func staleDoneRefused() throws {
        var h = Harness(taskSources: [F.source1])
        try h.report(F.info(F.source1, Self.add))
        try h.run(.operationDone(lock: F.lock, source: F.source1, lockSerial: 1))
        try h.report(F.info(F.source1, Self.addOther))  // the next DDL: instance 2 of the same lock id
        #expect(h.state.lock(F.lock)?.serial == 2)
        #expect(errorCode(.operationDone(lock: F.lock, source: F.source1, lockSerial: 1), h.state) == .staleOperation)
        #expect(
            try h.run(.operationDone(lock: F.lock, source: F.source1, lockSerial: 2)).last
                == .lockRemoved(lock: F.lock, reason: .resolved)
        )
    }

    @Test("A done for a source without an operation is refused; an empty Info is refused")
    func invalidCommands() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        #expect(errorCode(.operationDone(lock: F.lock, source: F.source2), h.state) == .operationNotIssued)
        #expect(errorCode(.reportInfo(F.info(F.source2), taskSources: h.taskSources), h.state) == .emptyDDLs)
    }

    @Test("A source added to the task before the exec is merged into the lock as unsynced (DM TrySync)")
    func sourceJoinsTask() throws {
        var h = Harness()
        try h.report(F.info(F.source1, Self.add))
        h.taskSources.insert(F.source3)
        let events = try h.report(F.info(F.source2, Self.add))
        #expect(events.contains(.sourcesAdded(lock: F.lock, sources: [F.source3])))
        #expect(h.state.lock(F.lock)?.unsyncedSources == [F.source3])
        #expect(h.state.lock(F.lock)?.execOperation == nil)
    }
}
