import API
import Domain
import Scheduling

/// Domain values ↔ API schemas. Passwords leave the master only as `******` (`redacted`); the
/// one exception is `WorkerView.source_password`, built in `WorkerViewBuilder`.
enum Conversions {
    static func sourceConfig(_ s: Components.Schemas.SourceConfig) throws(APIFailure) -> SourceConfig {
        guard !s.source_id.isEmpty else { throw .badRequest("must not be empty", field: "source_id") }
        guard !s.from.host.isEmpty else { throw .badRequest("must not be empty", field: "from.host") }
        guard !s.from.user.isEmpty else { throw .badRequest("must not be empty", field: "from.user") }
        guard let port = UInt16(exactly: s.from.port), port > 0 else {
            throw .badRequest("must be in 1...65535, got \(s.from.port)", field: "from.port")
        }
        var serverID: UInt32?
        if let id = s.server_id {
            guard let value = UInt32(exactly: id) else { throw .badRequest("must fit in 32 bits, got \(id)", field: "server_id") }
            serverID = value == 0 ? nil : value
        }
        if s.from.password == DatabaseConfig.redactedPassword {
            throw .badRequest("send the real password, not the redaction mark", field: "from.password")
        }
        return SourceConfig(
            sourceID: SourceID(s.source_id),
            enableGTID: s.enable_gtid ?? false,
            flavor: s.flavor.flatMap { DatabaseFlavor(rawValue: $0.rawValue) },
            serverID: serverID,
            from: DatabaseConfig(host: s.from.host, port: port, user: s.from.user, password: s.from.password ?? "")
        )
    }

    /// A source config as the API shows it: password redacted.
    static func sourceConfig(_ c: SourceConfig) -> Components.Schemas.SourceConfig {
        let from = c.from.redacted
        return Components.Schemas.SourceConfig(
            source_id: c.sourceID.rawValue,
            enable_gtid: c.enableGTID,
            flavor: c.flavor.flatMap { .init(rawValue: $0.rawValue) },
            server_id: c.serverID.map(Int64.init),
            from: .init(host: from.host, port: Int(from.port), user: from.user, password: from.password.isEmpty ? nil : from.password)
        )
    }

    static func source(_ id: SourceID, _ s: Scheduling.State) -> Components.Schemas.Source? {
        guard let config = s.sources[id] else { return nil }
        let binding = s.bindings[id]
        let last = s.workers.filter { $0.value.lastBoundSource == id }.keys.sorted().first
        return Components.Schemas.Source(
            source_id: id.rawValue, config: self.sourceConfig(config), worker: binding?.worker.rawValue,
            binding_epoch: binding.map { Int64($0.epoch) }, last_bound_worker: last?.rawValue)
    }

    static func subtask(
        task: TaskName, source: SourceID, stage: ExpectedStage, _ s: Scheduling.State, _ statuses: SubtaskStatusBoard
    ) -> Components.Schemas.SubtaskView {
        Components.Schemas.SubtaskView(
            task: task.rawValue, source: source.rawValue, worker: s.boundWorker(of: source)?.rawValue,
            expected_stage: stage == .running ? .Running : .Paused,
            status: statuses.status(task: task.rawValue, source: source.rawValue))
    }

    static func task(_ name: TaskName, _ s: Scheduling.State, _ statuses: SubtaskStatusBoard) -> Components.Schemas.TaskStatus? {
        guard let record = s.tasks[name] else { return nil }
        return Components.Schemas.TaskStatus(
            name: name.rawValue,
            shard_mode: record.config.shardMode?.rawValue ?? "",
            task_mode: record.config.taskMode.rawValue,
            subtasks: record.subtasks.keys.sorted().map { self.subtask(task: name, source: $0, stage: record.subtasks[$0]!, s, statuses) })
    }

    /// `lastSeen`: the leader's in-memory last keepalive, newer than the logged one between refreshes.
    static func worker(_ name: WorkerName, _ w: Scheduling.WorkerRecord, lastSeen: Int64? = nil) -> Components.Schemas.Worker {
        let stage: Components.Schemas.Worker.stagePayload = switch w.stage {
        case .offline: .offline
        case .free: .free
        case .bound: .bound
        }
        return Components.Schemas.Worker(
            name: name.rawValue, address: w.address, stage: stage, source: w.boundSource?.rawValue,
            last_keepalive_ms: [w.lastKeepalive, w.isOnline ? lastSeen : nil].compactMap { $0 }.max())
    }
}
