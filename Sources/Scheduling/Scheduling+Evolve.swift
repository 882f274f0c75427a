public import Domain

extension Scheduling {
    /// Applies one event. It never decides: everything a replay needs is in the event.
    public static func evolve(_ state: inout State, _ event: Event) {
        switch event {
        case .source(let e): Self.apply(e, to: &state)
        case .worker(let e): Self.apply(e, to: &state)
        case .binding(let e): Self.apply(e, to: &state)
        case .task(let e): Self.apply(e, to: &state)
        case .pessimism, .optimism, .checkpoint, .leader, .engine: break
        }
    }

    private static func apply(_ event: SourceEvent, to state: inout State) {
        switch event {
        case .added(let config), .updated(let config): state.sources[config.sourceID] = config
        case .removed(let id): state.sources[id] = nil
        }
    }

    private static func apply(_ event: WorkerEvent, to state: inout State) {
        switch event {
        case .registered(let name, let address):
            state.workers[name] = WorkerRecord(address: address)
        case .keepalive(let name, let at):
            guard var record = state.workers[name] else { return }
            record.isOnline = true
            record.lastKeepalive = max(at, record.lastKeepalive ?? at)
            state.workers[name] = record
        case .expired(let name, _), .offlined(let name):
            state.workers[name]?.isOnline = false
        case .removed(let name):
            state.workers[name] = nil
        }
    }

    private static func apply(_ event: BindingEvent, to state: inout State) {
        switch event {
        case .bound(let source, let worker, let epoch):
            state.bindings[source] = Binding(worker: worker, epoch: epoch)
            state.workers[worker]?.boundSource = source
            state.workers[worker]?.lastBoundSource = source
            state.lastEpoch = max(state.lastEpoch, epoch)
        case .unbound(let source, let worker, _, _):
            if state.bindings[source]?.worker == worker { state.bindings[source] = nil }
            if state.workers[worker]?.boundSource == source { state.workers[worker]?.boundSource = nil }
        }
    }

    private static func apply(_ event: TaskEvent, to state: inout State) {
        switch event {
        case .started(let name, let config, _):
            state.tasks[name] = TaskRecord(config: config)
        case .subtaskScheduled(let name, let source):
            state.tasks[name]?.subtasks[source] = .running
        case .stageChanged(let name, let source, let stage):
            guard var record = state.tasks[name] else { return }
            for key in record.subtasks.keys where source == nil || source == key {
                record.subtasks[key] = stage
                if stage == .running { state.resumes[name, default: [:]][key, default: 0] += 1 }
            }
            state.tasks[name] = record
        case .subtaskRemoved(let name, let source):
            state.tasks[name]?.subtasks[source] = nil
            state.tasks[name]?.binlogOperations[source] = nil
            state.resumes[name]?[source] = nil
            if state.resumes[name]?.isEmpty == true { state.resumes[name] = nil }
            state.schemaOperations[name]?[source] = nil
            if state.schemaOperations[name]?.isEmpty == true { state.schemaOperations[name] = nil }
        case .stopped(let name):
            state.tasks[name] = nil
            state.resumes[name] = nil
            state.schemaOperations[name] = nil
        case .binlogOperationSet(let name, let source, let operation):
            guard state.tasks[name]?.subtasks[source] != nil else { return }
            state.tasks[name]?.binlogOperations[source, default: [:]][operation.position] = operation
        case .schemaOperationSet(let name, let source, let operation):
            state.lastSchemaOperationID = max(state.lastSchemaOperationID, operation.id)
            guard state.tasks[name]?.subtasks[source] != nil else { return }
            var operations = state.schemaOperations[name]?[source] ?? []
            operations.removeAll { $0.schema == operation.schema && $0.table == operation.table }
            operations.append(operation)
            state.schemaOperations[name, default: [:]][source] = operations.sorted { $0.id < $1.id }
        case .binlogOperationRemoved(let name, let source, let position):
            state.tasks[name]?.binlogOperations[source]?[position] = nil
            if state.tasks[name]?.binlogOperations[source]?.isEmpty == true {
                state.tasks[name]?.binlogOperations[source] = nil
            }
        }
    }
}
