public import Domain

extension Pessimism {
    /// One lock as `shard-ddl-lock` / the API show it.
    public struct LockSummary: Sendable, Hashable, Codable {
        public var id: LockID
        /// Which instance of the lock id this is (ids are reused by successive DDLs).
        public var serial: UInt64
        public var task: TaskName
        public var downstream: TableName
        public var owner: SourceID
        public var ddls: [String]
        public var synced: [SourceID]
        public var unsynced: [SourceID]
        /// Issued operations, by source.
        public var operations: [PessimismOperation]
        /// Sources whose next Info waits for this lock to be removed.
        public var waiting: [SourceID]
        /// Rejected Infos aimed at this lock, so `shard-ddl-lock` shows why a source is unsynced.
        public var rejected: [RejectedInfo]
        public var unlock: UnlockDecision?
    }
}

extension Pessimism.State {
    /// Every lock, optionally of one task, sorted by id.
    public func lockSummaries(task: TaskName? = nil) -> [Pessimism.LockSummary] {
        self.locks.values
            .filter { task == nil || $0.task == task }
            .sorted { $0.id < $1.id }
            .map { lock in
                Pessimism.LockSummary(
                    id: lock.id,
                    serial: lock.serial,
                    task: lock.task,
                    downstream: lock.downstream,
                    owner: lock.owner,
                    ddls: lock.ddls,
                    synced: lock.syncedSources,
                    unsynced: lock.unsyncedSources,
                    operations: lock.operations.values.sorted { $0.source < $1.source },
                    waiting: self.waitingInfos(for: lock.id).map(\.source),
                    rejected: self.rejectedInfos(task: lock.task).filter { $0.info.lockID == lock.id },
                    unlock: lock.unlock
                )
            }
    }

    /// The lock with that id, if live.
    public func lock(_ id: LockID) -> Pessimism.Lock? { self.locks[id] }

    /// The Info the source is blocked on in the task, if any.
    public func inFlightInfo(task: TaskName, source: SourceID) -> PessimismInfo? {
        self.infos[Pessimism.InfoKey(task: task, source: source)]?.info
    }

    /// Accepted Infos that wait for `lock` to be removed before they start the next lock.
    public func waitingInfos(for lock: LockID) -> [PessimismInfo] {
        let live = self.locks[lock]
        return self.infos.values
            .map(\.info)
            .filter { info in
                guard info.lockID == lock else { return false }
                guard let live else { return true }
                return !live.ready.contains(info.source) || live.operations[info.source]?.done == true
            }
            .sorted { $0.source < $1.source }
    }

    /// Rejected Infos still on record, optionally of one task, sorted by task and source.
    public func rejectedInfos(task: TaskName? = nil) -> [Pessimism.RejectedInfo] {
        self.rejected
            .filter { task == nil || $0.key.task == task }
            .sorted { $0.key < $1.key }
            .map(\.value)
    }

    /// Operations a source still has to carry out in the task (what its worker must do next).
    public func pendingOperations(task: TaskName, source: SourceID) -> [PessimismOperation] {
        self.locks.values
            .filter { $0.task == task }
            .compactMap { $0.operations[source] }
            .filter { !$0.done }
            .sorted { $0.lock < $1.lock }
    }
}
