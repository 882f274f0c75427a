import Domain

extension Plan {
    private func existingSource(_ id: SourceID) throws(Failure) -> SourceConfig {
        guard let config = self.state.sources[id] else { throw Failure(.sourceNotFound, "source \(id) does not exist") }
        return config
    }

    private func requireUnused(_ id: SourceID, _ action: String) throws(Failure) {
        let users = self.state.subtasks(ofSource: id).map(\.task.rawValue)
        guard users.isEmpty else {
            throw Failure(.sourceInUse, "cannot \(action) source \(id): used by task \(users.joined(separator: ", "))")
        }
    }

    private func requireFree(_ worker: WorkerName) throws(Failure) {
        guard let record = self.state.workers[worker] else {
            throw Failure(.workerNotFound, "worker \(worker) is not registered")
        }
        guard record.stage == .free else {
            throw Failure(
                .workerNotFree,
                "worker \(worker) is \(record.stage.rawValue)\(record.boundSource.map { " to \($0)" } ?? ""), not free"
            )
        }
    }

    /// DM `AddSourceCfg` / `AddSourceCfgWithWorker`.
    mutating func addSource(_ config: SourceConfig, worker: WorkerName?) throws(Failure) {
        guard !config.sourceID.rawValue.isEmpty else { throw Failure(.invalidCommand, "source id must not be empty") }
        guard self.state.sources[config.sourceID] == nil else {
            throw Failure(.sourceExists, "source \(config.sourceID) already exists")
        }
        if let worker { try self.requireFree(worker) }
        self.emit(.source(.added(config)))
        if let worker {
            self.bind(config.sourceID, to: worker)
        } else {
            self.tryBindSource(config.sourceID)
        }
    }

    /// DM `UpdateSourceCfg`: only while no subtask uses the source. An identical config is a no-op.
    mutating func updateSource(_ config: SourceConfig) throws(Failure) {
        let current = try self.existingSource(config.sourceID)
        guard current != config else { return }
        try self.requireUnused(config.sourceID, "update")
        self.emit(.source(.updated(config)))
    }

    /// DM `RemoveSourceCfg`: refused while a subtask uses the source; the freed worker looks for
    /// another source.
    mutating func removeSource(_ id: SourceID) throws(Failure) {
        _ = try self.existingSource(id)
        try self.requireUnused(id, "remove")
        let worker = self.unbind(id, reason: .sourceRemoved)
        self.emit(.source(.removed(id)))
        if let worker { self.tryBindWorker(worker) }
    }

    /// DM `TransferSource`: the target must be free; the old worker looks for another source.
    /// Pausing subtasks that are not yet in the binlog phase is the worker's business: the epoch
    /// change fences the old worker's writes either way.
    mutating func transferSource(_ id: SourceID, to worker: WorkerName) throws(Failure) {
        _ = try self.existingSource(id)
        if self.state.bindings[id]?.worker == worker { return }
        try self.requireFree(worker)
        let previous = self.unbind(id, reason: .transferred)
        self.bind(id, to: worker)
        if let previous { self.tryBindWorker(previous) }
    }
}
