import Domain

extension Pessimism {
    /// `infoReported` for an Info whose lock is live: the task's sources are left out when they
    /// are exactly the lock's (see `PessimismEvent.infoReported`).
    static func reported(_ info: PessimismInfo, taskSources: Set<SourceID>, lock: Lock?) -> PessimismEvent {
        let same = lock.map { $0.sources == taskSources } ?? false
        return .infoReported(info: info, taskSources: same ? nil : taskSources)
    }

    /// The hot commands decided straight from the state, without evolving a scratch copy: a source
    /// joining a lock and an operation done that neither creates nor removes a lock. Each returns
    /// nil for anything else (a refusal, a rejection, lock creation or removal, unlock, sources
    /// added), which `decideBySimulation` handles. Whatever it returns equals what
    /// `decideBySimulation` returns (asserted in debug builds and by the property tests).
    enum FastPath {
        static func decide(_ command: Command, _ state: State) -> [Event]? {
            switch command {
            case .reportInfo(let info, let taskSources):
                return self.join(info, taskSources: taskSources, state)
            case .operationDone(let lock, let source, let lockSerial):
                return self.done(lock: lock, source: source, lockSerial: lockSerial, state)
            case .unlock, .sourceLeftTask, .taskRemoved:
                return nil
            }
        }

        /// `reportInfo` → `offer` for a new Info joining a live, unfrozen lock with the same DDLs.
        private static func join(_ info: PessimismInfo, taskSources: Set<SourceID>, _ state: State) -> [Event]? {
            let source = info.source
            guard !info.ddls.isEmpty, taskSources.contains(source),
                state.infos[InfoKey(task: info.task, source: source)] == nil,
                let lock = state.locks[info.lockID],
                lock.unlock == nil, lock.operations[lock.owner] == nil,  // not frozen: no exec issued
                lock.operations[source] == nil, !lock.ready.contains(source),
                info.ddls == lock.ddls || info.hasSameDDLs(as: lock.ddls)
            else { return nil }
            let same = taskSources == lock.sources
            // New task sources would add `sourcesAdded`.
            guard same || taskSources.isSubset(of: lock.sources) else { return nil }
            var events: [Event] = [
                .pessimism(.infoReported(info: info, taskSources: same ? nil : taskSources)),
                .pessimism(.sourceSynced(lock: lock.id, source: source)),
            ]
            // `advance`: no exec yet; synced once every expected source is ready. Not resolved:
            // nothing of the owner's is done.
            if lock.ready.count + 1 == lock.sources.count {
                events.append(.pessimism(.operationIssued(lock.operation(for: lock.owner, exec: true))))
            }
            return events
        }

        /// `operationDone` → `advance` when the lock stays: skips once the owner's exec is done.
        private static func done(lock id: LockID, source: SourceID, lockSerial: UInt64?, _ state: State) -> [Event]? {
            guard let lock = state.locks[id], lockSerial == nil || lockSerial == lock.serial,
                let operation = lock.operations[source], !operation.done,
                let exec = lock.operations[lock.owner], exec.exec  // else the simulation issues it
            else { return nil }
            // Resolution removes the lock and may start the next one.
            guard lock.doneCount + 1 < lock.sources.count else { return nil }
            var events: [Event] = [.pessimism(.operationDone(lock: id, task: lock.task, source: source))]
            // Skips go to every synced non-owner without an operation; operations are only issued
            // to ready sources, so there is none when as many are issued as ready.
            if exec.done || source == lock.owner, lock.operations.count < lock.ready.count {
                for other in lock.ready.sorted() where other != lock.owner && lock.operations[other] == nil {
                    events.append(.pessimism(.operationIssued(lock.operation(for: other, exec: false))))
                }
            }
            return events
        }
    }
}
