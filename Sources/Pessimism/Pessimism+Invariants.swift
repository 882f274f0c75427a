public import Domain

extension Pessimism.State {
    /// Checks what must hold after every single event (not only after a whole command), so a
    /// snapshot taken at any sequence number is consistent. A violation is a bug, never bad input.
    public func checkInvariants() throws(InvariantViolation) {
        for (id, lock) in self.locks {
            try Self.check(lock, id: id)
            guard lock.serial < self.nextLockSerial else {
                throw InvariantViolation(
                    "lock \(id) has serial \(lock.serial), not below the next serial \(self.nextLockSerial)"
                )
            }
        }
        for (key, entry) in self.infos {
            let info = entry.info
            guard key.task == info.task, key.source == info.source else {
                throw InvariantViolation("info under key \(key) belongs to \(info.task)/\(info.source)")
            }
            guard !info.ddls.isEmpty else { throw InvariantViolation("in-flight \(info) has no DDL") }
            guard entry.taskSources.contains(info.source) else {
                throw InvariantViolation("in-flight \(info) does not list its own source among the task's sources")
            }
            if let lock = self.locks[info.lockID], lock.ready.contains(info.source),
                lock.operations[info.source]?.done != true, !info.hasSameDDLs(as: lock.ddls)
            {
                throw InvariantViolation("\(info) is synced in lock \(lock.id) whose DDLs differ")
            }
        }
        for (key, rejected) in self.rejected where key.task != rejected.info.task || key.source != rejected.info.source
        {
            throw InvariantViolation(
                "rejected info under key \(key) belongs to \(rejected.info.task)/\(rejected.info.source)"
            )
        }
    }

    private static func check(_ lock: Pessimism.Lock, id: LockID) throws(InvariantViolation) {
        guard lock.id == id, id == LockID(task: lock.task, downstream: lock.downstream) else {
            throw InvariantViolation("lock under \(id) has id \(lock.id) for \(lock.task) \(lock.downstream)")
        }
        guard !lock.ddls.isEmpty else { throw InvariantViolation("lock \(id) has no DDL") }
        guard lock.serial > 0 else { throw InvariantViolation("lock \(id) has no serial") }
        guard lock.ready.contains(lock.owner) else {
            throw InvariantViolation("owner \(lock.owner) of lock \(id) is not synced")
        }
        guard lock.ready.isSubset(of: lock.sources) else {
            throw InvariantViolation(
                "lock \(id) has synced sources \(lock.ready.subtracting(lock.sources)) it does not expect"
            )
        }
        var execCount = 0
        for (source, op) in lock.operations {
            guard op.source == source, op.lock == id, op.lockSerial == lock.serial, op.task == lock.task,
                op.ddls == lock.ddls
            else {
                throw InvariantViolation("operation \(op) is filed under lock \(id) source \(source)")
            }
            // done ⊆ ready follows from this.
            guard lock.ready.contains(source) else {
                throw InvariantViolation("lock \(id) issued an operation to unsynced source \(source)")
            }
            if op.exec {
                execCount += 1
                guard source == lock.owner else {
                    throw InvariantViolation("lock \(id) told non-owner \(source) to execute")
                }
                guard lock.isSynced else {
                    throw InvariantViolation("lock \(id) told its owner to execute before every source synced")
                }
            } else {
                let ownerDone = lock.execOperation?.done == true
                guard ownerDone || lock.unlock?.forceRemove == true else {
                    throw InvariantViolation("lock \(id) told \(source) to skip before the owner executed")
                }
            }
        }
        guard execCount <= 1 else { throw InvariantViolation("lock \(id) has \(execCount) execute operations") }
    }
}
