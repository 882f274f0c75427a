public import Domain
import Schema

extension Optimism.State {
    /// Checks what must hold after every command; a failure is a bug in this module, never bad input.
    public func checkInvariants() throws(InvariantViolation) {
        for (id, lock) in self.locks {
            guard lock.id == id, LockID(task: lock.task, downstream: lock.downstream) == id else {
                throw InvariantViolation("lock \(id) is filed under the wrong id (\(lock.id), \(lock.task), \(lock.downstream))")
            }
            guard !lock.tables.isEmpty else { throw InvariantViolation("lock \(id) has no tables") }
            let recomputed = lock.recomputedJoined()
            switch (lock.joined, recomputed) {
            case (nil, nil):
                break
            case (let joined?, let expected?):
                guard Lattice.equal(joined, expected) else {
                    throw InvariantViolation("lock \(id): joined schema differs from the join of its tables")
                }
            case (nil, _?), (_?, nil):
                throw InvariantViolation("lock \(id): joined is \(lock.joined == nil ? "nil" : "set") but the tables \(recomputed == nil ? "do not join" : "join")")
            }
            for (key, entry) in lock.tables {
                if let op = entry.operation {
                    guard op.lock == id, op.table == key, op.id < self.nextOperationID else {
                        throw InvariantViolation("lock \(id): operation \(op.id) of \(key) is misfiled")
                    }
                } else if !entry.done {
                    throw InvariantViolation("lock \(id): \(key) waits for an operation that was never issued")
                }
                if entry.conflict != nil, entry.operation?.stage != .skipAndWaitForRedirect {
                    throw InvariantViolation("lock \(id): \(key) has a conflict schema outside \"skip and wait for redirect\"")
                }
            }
            for (column, stages) in lock.droppedColumns {
                guard !stages.isEmpty else { throw InvariantViolation("lock \(id): dropped column \(column) tracks no table") }
                for key in stages.keys where lock.tables[key] == nil {
                    throw InvariantViolation("lock \(id): dropped column \(column) tracks \(key), which is not in the lock")
                }
            }
            if lock.isResolved {
                throw InvariantViolation("lock \(id) is resolved but still present")
            }
        }
    }
}
