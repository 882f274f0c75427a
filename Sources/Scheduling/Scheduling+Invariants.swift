public import Domain

extension Scheduling.State {
    /// Checks the schedule's structural invariants; a violation is a decider bug, never bad input.
    ///
    /// - A binding names an existing source and an existing, online worker whose `boundSource`
    ///   points back: a bound worker has exactly one source and a source at most one worker.
    /// - Binding epochs are distinct and none exceeds `lastEpoch`.
    /// - Every subtask's source exists and is named by its task's config; every task has a subtask.
    /// - Binlog operations belong to existing subtasks, are keyed by their own position, and a
    ///   `replace` (only) carries statements.
    /// - Schema operations belong to existing subtasks, are in increasing id order with one per table,
    ///   and no id exceeds `lastSchemaOperationID`.
    public func checkInvariants() throws(InvariantViolation) {
        var epochs: Set<UInt64> = []
        for (source, binding) in self.bindings {
            guard self.sources[source] != nil else { throw InvariantViolation("binding of unknown source \(source)") }
            guard let worker = self.workers[binding.worker] else {
                throw InvariantViolation("source \(source) bound to unknown worker \(binding.worker)")
            }
            guard worker.isOnline else {
                throw InvariantViolation("source \(source) bound to offline worker \(binding.worker)")
            }
            guard worker.boundSource == source else {
                throw InvariantViolation(
                    "source \(source) bound to \(binding.worker), which serves \(worker.boundSource.map(\.rawValue) ?? "nothing")"
                )
            }
            guard binding.epoch >= 1, binding.epoch <= self.lastEpoch else {
                throw InvariantViolation("binding epoch \(binding.epoch) of \(source) outside 1...\(self.lastEpoch)")
            }
            guard epochs.insert(binding.epoch).inserted else {
                throw InvariantViolation("binding epoch \(binding.epoch) used twice")
            }
        }
        for (name, worker) in self.workers {
            if let source = worker.boundSource, self.bindings[source]?.worker != name {
                throw InvariantViolation(
                    "worker \(name) claims source \(source), which is bound to \(self.bindings[source].map(\.worker.rawValue) ?? "nobody")"
                )
            }
            if worker.isOnline && worker.lastKeepalive == nil {
                throw InvariantViolation("worker \(name) online without a keepalive")
            }
        }
        for (name, bySource) in self.schemaOperations {
            for (source, operations) in bySource {
                guard self.tasks[name]?.subtasks[source] != nil else {
                    throw InvariantViolation("schema operations of missing subtask \(name)/\(source)")
                }
                let ids = operations.map(\.id)
                let tables = Set(operations.map { TableName(schema: $0.schema, table: $0.table) })
                guard !ids.isEmpty, ids == ids.sorted(), Set(ids).count == ids.count, tables.count == ids.count,
                    ids.last! <= self.lastSchemaOperationID
                else {
                    throw InvariantViolation("malformed schema operations of \(name)/\(source): \(operations)")
                }
            }
        }
        for name in self.resumes.keys.sorted() where self.tasks[name] == nil {
            throw InvariantViolation("resume counts of missing task \(name)")
        }
        for (name, task) in self.tasks {
            guard !task.subtasks.isEmpty else { throw InvariantViolation("task \(name) has no subtasks") }
            let named = Set(task.config.sourceIDs)
            for source in task.subtasks.keys {
                guard self.sources[source] != nil else {
                    throw InvariantViolation("subtask \(name)/\(source) of unknown source")
                }
                guard named.contains(source) else {
                    throw InvariantViolation("subtask \(name)/\(source) not in the task config")
                }
            }
            for source in self.resumes[name]?.keys.sorted() ?? [] where task.subtasks[source] == nil {
                throw InvariantViolation("resume count of missing subtask \(name)/\(source)")
            }
            for (source, operations) in task.binlogOperations {
                guard task.subtasks[source] != nil else {
                    throw InvariantViolation("binlog operations of missing subtask \(name)/\(source)")
                }
                guard !operations.isEmpty else { throw InvariantViolation("empty binlog operations of \(name)/\(source)") }
                for (position, operation) in operations {
                    guard operation.position == position, (operation.action == .replace) == !operation.statements.isEmpty else {
                        throw InvariantViolation("malformed binlog operation of \(name)/\(source): \(operation)")
                    }
                }
            }
        }
    }
}
