import Domain

extension Plan {
    private func task(_ name: TaskName) throws(Failure) -> Scheduling.TaskRecord {
        guard let record = self.state.tasks[name] else { throw Failure(.taskNotFound, "task \(name) does not exist") }
        return record
    }

    private func requireSubtask(_ name: TaskName, _ source: SourceID?, in record: Scheduling.TaskRecord) throws(Failure)
    {
        if let source, record.subtasks[source] == nil {
            throw Failure(.subtaskNotFound, "task \(name) has no subtask on source \(source)")
        }
    }

    /// DM `AddSubTasks`: every source must exist and be bound.
    ///
    /// `start-task -s` of a task that exists adds subtasks for the named sources (DM's way back after
    /// `stop-task -s`): the config must be the task's own (one config per task here), and none of the
    /// sources may have a subtask already. The added subtask joins the task's shard-DDL locks through
    /// its sources set, which the deciders read at every Info.
    mutating func startTask(_ config: TaskConfig, sources: Set<SourceID>?) throws(Failure) {
        guard !config.name.rawValue.isEmpty else { throw Failure(.invalidCommand, "task name must not be empty") }
        let existing = self.state.tasks[config.name]
        if let existing {
            guard let sources, !sources.isEmpty else { throw Failure(.taskExists, "task \(config.name) already exists") }
            guard existing.config == config else {
                throw Failure(
                    .taskExists,
                    "task \(config.name) already exists with another config; sources can be added only with the task's own config")
            }
            let running = sources.filter { existing.subtasks[$0] != nil }.sorted()
            guard running.isEmpty else {
                throw Failure(.taskExists, "task \(config.name) already has subtasks on sources \(Self.list(running))")
            }
        }
        let named = Set(config.sourceIDs)
        let chosen = sources ?? named
        guard !chosen.isEmpty else { throw Failure(.invalidCommand, "task \(config.name) names no source") }
        let foreign = chosen.subtracting(named).sorted()
        guard foreign.isEmpty else {
            throw Failure(
                .invalidCommand,
                "sources \(Self.list(foreign)) are not in task \(config.name)'s mysql-instances"
            )
        }
        let missing = chosen.filter { self.state.sources[$0] == nil }.sorted()
        guard missing.isEmpty else { throw Failure(.sourceNotFound, "sources \(Self.list(missing)) do not exist") }
        let unbound = chosen.filter { self.state.bindings[$0] == nil }.sorted()
        guard unbound.isEmpty else {
            throw Failure(
                .sourceUnbound,
                "sources \(Self.list(unbound)) are not bound to a worker; start their workers first"
            )
        }
        if existing == nil { self.emit(.task(.started(config.name, config: config, sources: chosen))) }
        for source in chosen.sorted() { self.emit(.task(.subtaskScheduled(config.name, source: source))) }
    }

    /// Pause or resume; a no-op when every addressed subtask already has `stage`.
    mutating func setStage(_ name: TaskName, source: SourceID?, _ stage: ExpectedStage) throws(Failure) {
        let record = try self.task(name)
        try self.requireSubtask(name, source, in: record)
        let addressed = record.subtasks.filter { source == nil || $0.key == source }
        // Resuming what is already expected Running still counts: a subtask its error paused waits for it.
        guard stage == .running || addressed.values.contains(where: { $0 != stage }) else { return }
        self.emit(.task(.stageChanged(name, source: source, stage: stage)))
    }

    /// Removes the addressed subtasks; the task goes with its last subtask.
    mutating func stopTask(_ name: TaskName, source: SourceID?) throws(Failure) {
        let record = try self.task(name)
        try self.requireSubtask(name, source, in: record)
        let removed = source.map { [$0] } ?? record.subtasks.keys.sorted()
        for s in removed { self.emit(.task(.subtaskRemoved(name, source: s))) }
        if self.state.tasks[name]?.subtasks.isEmpty ?? true { self.emit(.task(.stopped(name))) }
    }

    /// Records progress only from the source's current binding; the checkpoint fold itself is
    /// the projections' business (this state does not keep positions).
    mutating func reportCheckpoint(
        task: TaskName,
        source: SourceID,
        worker: WorkerName,
        epoch: UInt64,
        position: BinlogPosition,
        gtid: GTIDSet?,
        at: Int64
    ) throws(Failure) {
        let record = try self.task(task)
        try self.requireSubtask(task, source, in: record)
        guard let binding = self.state.bindings[source], binding.worker == worker, binding.epoch == epoch else {
            let current = self.state.bindings[source].map { "\($0.worker) at epoch \($0.epoch)" } ?? "no worker"
            throw Failure(
                .staleBinding,
                "checkpoint of \(task)/\(source) from \(worker) at epoch \(epoch) refused: the source is bound to \(current)"
            )
        }
        self.emit(.checkpoint(.reported(task: task, source: source, position: position, gtid: gtid, at: at)))
    }

    private static func list(_ ids: [SourceID]) -> String { ids.map(\.rawValue).joined(separator: ", ") }
}
