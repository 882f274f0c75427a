public import Domain

extension Pessimism {
    /// Applies one event. Never decides: every branch here is the mechanical meaning of the
    /// event, so replay reproduces the live state. Events of other categories are ignored; an
    /// event naming a lock that is gone is ignored too (it cannot come from `decide`).
    public static func evolve(_ state: inout State, _ event: Event) {
        guard case .pessimism(let event) = event else { return }
        switch event {
        case .infoReported(let info, let taskSources):
            let key = InfoKey(task: info.task, source: info.source)
            // No set recorded: the task's sources were exactly the lock's (shares its storage).
            let sources = taskSources ?? state.locks[info.lockID]?.sources ?? [info.source]
            state.infos[key] = InFlightInfo(info: info, taskSources: sources)
            if !state.rejected.isEmpty { state.rejected[key] = nil }

        case .infoRejected(let info, let reason, let taskSources):
            let key = InfoKey(task: info.task, source: info.source)
            state.rejected[key] = RejectedInfo(info: info, reason: reason, taskSources: taskSources)
            // A waiting Info rejected when its turn came is no longer in flight.
            if state.infos[key]?.info == info { state.infos[key] = nil }

        case .lockCreated(let id, let serial, let task, let downstream, let owner, let ddls, let sources):
            let sources = sources ?? state.infos[InfoKey(task: task, source: owner)]?.taskSources ?? [owner]
            state.locks[id] = Lock(
                id: id,
                serial: serial,
                task: task,
                downstream: downstream,
                owner: owner,
                ddls: ddls,
                sources: sources
            )
            state.nextLockSerial = max(state.nextLockSerial, serial + 1)

        case .sourceSynced(let id, let source):
            if let index = state.locks.index(forKey: id) { state.locks.values[index].ready.insert(source) }

        case .sourcesAdded(let id, let sources):
            state.locks[id]?.sources.formUnion(sources)

        case .operationIssued(let op):
            guard let index = state.locks.index(forKey: op.lock) else { return }
            state.locks.values[index].setOperation(op)
            // The operator's or owner's decision answers a rejected Info of this lock.
            if !state.rejected.isEmpty {
                let key = InfoKey(task: op.task, source: op.source)
                if state.rejected[key]?.info.lockID == op.lock { state.rejected[key] = nil }
            }

        case .operationDone(let id, let task, let source):
            if let index = state.locks.index(forKey: id) { state.locks.values[index].markDone(source) }
            // DM's `DoneOperationDeleteInfo`: the Info is no longer in flight.
            let key = InfoKey(task: task, source: source)
            if let index = state.infos.index(forKey: key), state.infos.values[index].info.lockID == id {
                state.infos.remove(at: index)
            }

        case .unlockRequested(let id, let owner, let forceRemove):
            // Taken out of the dictionary so its sets are uniquely referenced and change in place.
            guard var lock = state.locks.removeValue(forKey: id) else { return }
            lock.unlock = UnlockDecision(ownerOverride: owner, forceRemove: forceRemove)
            if let owner { lock.owner = owner }
            lock.ready = lock.sources  // DM's ForceSynced
            state.locks[id] = lock

        case .sourceLeftTask(let task, let source):
            let key = InfoKey(task: task, source: source)
            state.infos[key] = nil
            state.rejected[key] = nil
            for (other, entry) in state.infos where other.task == task && entry.taskSources.contains(source) {
                state.infos[other]?.taskSources.remove(source)
            }
            for (other, entry) in state.rejected where other.task == task && entry.taskSources.contains(source) {
                state.rejected[other]?.taskSources.remove(source)
            }

        case .sourceReleased(let id, let source, let newOwner):
            guard var lock = state.locks.removeValue(forKey: id) else { return }
            lock.sources.remove(source)
            lock.ready.remove(source)
            lock.removeOperation(source)
            if let newOwner { lock.owner = newOwner }
            state.locks[id] = lock

        case .lockResolved:
            // A marker for audit; the removal that follows changes the state.
            break

        case .lockRemoved(let id, _):
            guard let lock = state.locks.removeValue(forKey: id) else { return }
            // Infos answered by this lock (ready, not yet done) go with it; Infos still waiting
            // for it stay and start the next lock. (Done sources are ready, so when as many are
            // done as ready there is nothing to drop.)
            guard lock.doneCount < lock.ready.count else { return }
            for source in lock.ready where lock.operations[source]?.done != true {
                let key = InfoKey(task: lock.task, source: source)
                if state.infos[key]?.info.lockID == id { state.infos[key] = nil }
            }

        case .taskRemoved(let task):
            state.infos = state.infos.filter { $0.key.task != task }
            state.rejected = state.rejected.filter { $0.key.task != task }
        }
    }
}
