import Domain

extension Pessimism {
    /// The events one command produces, built step by step: each event is applied to a scratch
    /// copy of the state as soon as it is emitted, so every later decision in the same command
    /// sees exactly the state a replay would see at that point.
    struct Decision {
        private(set) var state: State
        private(set) var events: [Event] = []

        init(_ state: State) {
            self.state = state
        }

        mutating func emit(_ event: PessimismEvent) {
            let event = Event.pessimism(event)
            self.events.append(event)
            Pessimism.evolve(&self.state, event)
        }

        // MARK: - Commands

        mutating func reportInfo(_ info: PessimismInfo, taskSources: Set<SourceID>) throws(Pessimism.Error) {
            guard !info.ddls.isEmpty else {
                throw Pessimism.Error(.emptyDDLs, "\(info) carries no DDL statement")
            }
            let key = InfoKey(task: info.task, source: info.source)
            let current = self.state.infos[key]
            // A restarted worker re-sends the Info it is blocked on: nothing new happened. (Checked
            // first so a stale task-source set cannot knock an accepted Info out of its lock.)
            if let current, current.info.lockID == info.lockID, current.info.hasSameDDLs(as: info.ddls) { return }
            guard taskSources.contains(info.source) else {
                self.reject(info, .sourceNotInTask, taskSources: taskSources)
                return
            }
            if let current {
                let lock = self.state.locks[current.info.lockID]
                if let lock, current.info.lockID == info.lockID, lock.ready.contains(info.source) {
                    self.reject(info, .ddlsDiffer(lockDDLs: lock.ddls), taskSources: taskSources)
                } else {
                    self.reject(
                        info,
                        .anotherDDLInFlight(lock: current.info.lockID, ddls: current.info.ddls),
                        taskSources: taskSources
                    )
                }
                return
            }
            self.offer(InFlightInfo(info: info, taskSources: taskSources), record: true)
        }

        mutating func operationDone(lock id: LockID, source: SourceID, lockSerial: UInt64?) throws(Pessimism.Error) {
            guard let lock = self.state.locks[id] else {
                throw Pessimism.Error(.lockNotFound, "lock \(id) not found")
            }
            if let lockSerial, lockSerial != lock.serial {
                throw Pessimism.Error(
                    .staleOperation,
                    "done for instance \(lockSerial) of lock \(id), which is now instance \(lock.serial)"
                )
            }
            guard let operation = lock.operations[source] else {
                throw Pessimism.Error(.operationNotIssued, "no operation was issued to source \(source) in lock \(id)")
            }
            // A repeated done (worker restart) changes nothing.
            if operation.done { return }
            self.emit(.operationDone(lock: id, task: lock.task, source: source))
            self.advance(id)
        }

        mutating func unlock(_ id: LockID, owner: SourceID?, forceRemove: Bool) throws(Pessimism.Error) {
            guard let lock = self.state.locks[id] else {
                throw Pessimism.Error(.lockNotFound, "lock \(id) not found")
            }
            let newOwner = owner ?? lock.owner
            guard lock.ready.contains(newOwner) else {
                throw Pessimism.Error(
                    .ownerNotSynced,
                    "source \(newOwner) is not waiting for DDL lock \(id); choose a synced owner"
                )
            }
            if newOwner != lock.owner, let exec = lock.execOperation {
                throw Pessimism.Error(
                    .ownerAlreadyExecuting,
                    "owner \(lock.owner) was already told to execute lock \(id) (\(exec.done ? "done" : "pending")); use --force-remove or let the owner leave"
                )
            }
            // Unlock may need repeating (DM docs); repeating it without a new choice changes nothing.
            if lock.unlock != nil, !forceRemove, newOwner == lock.owner { return }
            self.emit(.unlockRequested(lock: id, owner: owner, forceRemove: forceRemove))
            guard forceRemove else {
                self.advance(id)
                return
            }
            // DM's force-remove: the owner is asked to execute and everyone else to skip, and the
            // lock goes without waiting for any of them.
            self.issueExecIfNeeded(id)
            self.issueSkips(id)
            self.removeLock(id, .forced)
        }

        mutating func sourceLeftTask(task: TaskName, source: SourceID) {
            let key = InfoKey(task: task, source: source)
            let affected = self.state.locks.values
                .filter { $0.task == task && $0.sources.contains(source) && $0.operations[source]?.done != true }
                .map(\.id).sorted()
            let referenced =
                self.state.infos[key] != nil || self.state.rejected[key] != nil
                || self.state.infos.contains { $0.key.task == task && $0.value.taskSources.contains(source) }
            guard referenced || !affected.isEmpty else { return }
            self.emit(.sourceLeftTask(task: task, source: source))
            for id in affected {
                guard let lock = self.state.locks[id] else { continue }
                var newOwner: SourceID? = nil
                if lock.owner == source {
                    // Deterministic: the smallest remaining synced source.
                    guard let candidate = lock.ready.subtracting([source]).min() else {
                        self.removeLock(id, .abandoned)
                        continue
                    }
                    newOwner = candidate
                }
                self.emit(.sourceReleased(lock: id, source: source, newOwner: newOwner))
                self.advance(id)
            }
        }

        mutating func taskRemoved(task: TaskName) {
            let ids = self.state.locks.values.filter { $0.task == task }.map(\.id).sorted()
            let referenced =
                self.state.infos.keys.contains { $0.task == task }
                || self.state.rejected.keys.contains { $0.task == task }
            guard referenced || !ids.isEmpty else { return }
            self.emit(.taskRemoved(task: task))
            for id in ids { self.emit(.lockRemoved(lock: id, reason: .taskRemoved)) }
        }

        // MARK: - Steps

        private mutating func reject(_ info: PessimismInfo, _ reason: PessimismRejection, taskSources: Set<SourceID>) {
            // The same rejected Info re-sent is already on record.
            let current = self.state.rejected[InfoKey(task: info.task, source: info.source)]
            if current?.info == info, current?.reason == reason { return }
            self.emit(.infoRejected(info: info, reason: reason, taskSources: taskSources))
        }

        /// DM's `TrySync`: create the lock, join it, or wait for it to be removed first.
        /// `record` is false for an Info already recorded that was waiting for its turn.
        private mutating func offer(_ entry: InFlightInfo, record: Bool) {
            let info = entry.info
            let source = info.source
            guard let lock = self.state.locks[info.lockID] else {
                if record { self.emit(.infoReported(info: info, taskSources: entry.taskSources)) }
                // The owner's in-flight Info is `entry` now (just recorded, or the waiting one), so
                // the event need not repeat its set unless something is off.
                let key = InfoKey(task: info.task, source: source)
                let fromInfo =
                    entry.taskSources.contains(source) && self.state.infos[key]?.taskSources == entry.taskSources
                self.emit(
                    .lockCreated(
                        lock: info.lockID,
                        serial: self.state.nextLockSerial,
                        task: info.task,
                        downstream: info.downstream,
                        owner: source,
                        ddls: info.ddls,
                        sources: fromInfo ? nil : entry.taskSources.union([source])
                    )
                )
                self.advance(info.lockID)
                return
            }
            let frozen = lock.execOperation != nil || lock.unlock != nil
            let canJoin = lock.operations[source]?.done != true && (lock.sources.contains(source) || !frozen)
            guard canJoin else {
                // The source's part of this lock is over (or the lock is past accepting sources):
                // this is its next DDL, which starts once the lock is removed.
                if record { self.emit(Pessimism.reported(info, taskSources: entry.taskSources, lock: lock)) }
                return
            }
            guard info.hasSameDDLs(as: lock.ddls) else {
                self.reject(info, .ddlsDiffer(lockDDLs: lock.ddls), taskSources: entry.taskSources)
                return
            }
            if record { self.emit(Pessimism.reported(info, taskSources: entry.taskSources, lock: lock)) }
            let added = entry.taskSources.subtracting(lock.sources)
            if !added.isEmpty && !frozen { self.emit(.sourcesAdded(lock: lock.id, sources: added)) }
            if !lock.ready.contains(source) { self.emit(.sourceSynced(lock: lock.id, source: source)) }
            self.advance(lock.id)
        }

        /// DM's `handleLock`: exec to the owner once synced, skips once the owner is done,
        /// removal once everyone is done.
        private mutating func advance(_ id: LockID) {
            guard let lock = self.state.locks[id] else { return }
            if let exec = lock.execOperation {
                if exec.done { self.issueSkips(id) }
            } else if lock.isSynced {
                self.issueExecIfNeeded(id)
            }
            if self.state.locks[id]?.isResolved == true {
                self.emit(.lockResolved(lock: id))
                self.removeLock(id, .resolved)
            }
        }

        private mutating func issueExecIfNeeded(_ id: LockID) {
            guard let lock = self.state.locks[id], lock.operations[lock.owner] == nil else { return }
            self.emit(.operationIssued(lock.operation(for: lock.owner, exec: true)))
        }

        /// Skip operations to every synced non-owner that has none yet.
        private mutating func issueSkips(_ id: LockID) {
            guard let lock = self.state.locks[id] else { return }
            for source in lock.ready.sorted() where source != lock.owner && lock.operations[source] == nil {
                self.emit(.operationIssued(lock.operation(for: source, exec: false)))
            }
        }

        /// Removes the lock, then offers the Infos that waited for it and those rejected because
        /// they disagreed with it: they start the next lock, in source order so the new owner is
        /// deterministic. (A rejected Info is offered again without its worker re-sending it, dm#628.)
        private mutating func removeLock(_ id: LockID, _ reason: PessimisticLockRemovalReason) {
            self.emit(.lockRemoved(lock: id, reason: reason))
            let waiting = self.state.infos.values.filter { $0.info.lockID == id }
            let rejected = self.state.rejected.values.filter { rejected in
                switch rejected.reason {
                case .ddlsDiffer: rejected.info.lockID == id
                case .anotherDDLInFlight, .sourceNotInTask: false
                }
            }
            let candidates =
                waiting.map { (entry: $0, recorded: true) }
                + rejected.map { (entry: InFlightInfo(info: $0.info, taskSources: $0.taskSources), recorded: false) }
            for candidate in candidates.sorted(by: { $0.entry.info.source < $1.entry.info.source }) {
                let info = candidate.entry.info
                let key = InfoKey(task: info.task, source: info.source)
                // Skip a candidate an earlier one in this loop superseded.
                if candidate.recorded {
                    guard self.state.infos[key] == candidate.entry else { continue }
                } else {
                    guard self.state.infos[key] == nil, self.state.rejected[key]?.info == info else { continue }
                }
                self.offer(candidate.entry, record: !candidate.recorded)
            }
        }
    }
}
