public import API

/// The worker protocol: register, keepalive, watch, and the reports a worker makes.
extension MasterClient {
    public func register(name: String, address: String) async throws(MasterClientError) -> Schemas.Registration {
        try await self.call({ try await $0.registerWorker(body: .json(.init(name: name, address: address))) }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func keepalive(name: String) async throws(MasterClientError) -> Schemas.Registration {
        try await self.call({ try await $0.keepalive(path: .init(worker_hyphen_name: name)) }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    /// Graceful shutdown: the master marks the worker offline at once and rebinds its source.
    public func stopWorker(name: String) async throws(MasterClientError) {
        try await self.call({ try await $0.stopWorker(path: .init(worker_hyphen_name: name)) }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    /// Long-polls for the worker's view once the log passes `after`, or at `timeoutMs`.
    public func watch(name: String, after: Int64, timeoutMs: Int) async throws(MasterClientError) -> Schemas.WorkerView {
        try await self.call({
            try await $0.watch(path: .init(worker_hyphen_name: name), query: .init(after: after, timeout_ms: timeoutMs))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func reportPessimisticInfo(worker: String, _ info: Schemas.PessimisticInfo) async throws(MasterClientError)
        -> Schemas.AppendedEvents
    {
        try await self.call({
            try await $0.reportPessimisticInfo(path: .init(worker_hyphen_name: worker), body: .json(info))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func reportSourceTables(worker: String, _ tables: Schemas.SourceTables) async throws(MasterClientError)
        -> Schemas.AppendedEvents
    {
        try await self.call({
            try await $0.reportSourceTables(path: .init(worker_hyphen_name: worker), body: .json(tables))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func reportOptimisticInfo(worker: String, _ info: Schemas.OptimisticInfo) async throws(MasterClientError)
        -> Schemas.AppendedEvents
    {
        try await self.call({
            try await $0.reportOptimisticInfo(path: .init(worker_hyphen_name: worker), body: .json(info))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func operationDone(worker: String, _ done: Schemas.OperationDone) async throws(MasterClientError)
        -> Schemas.AppendedEvents
    {
        try await self.call({
            try await $0.operationDone(path: .init(worker_hyphen_name: worker), body: .json(done))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func reportCheckpoint(worker: String, _ checkpoint: Schemas.Checkpoint) async throws(MasterClientError)
        -> Schemas.AppendedEvents
    {
        try await self.call({
            try await $0.reportCheckpoint(path: .init(worker_hyphen_name: worker), body: .json(checkpoint))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func reportSubtaskStatus(worker: String, _ status: Schemas.SubtaskStatus) async throws(MasterClientError) {
        try await self.call({
            try await $0.reportSubtaskStatus(path: .init(worker_hyphen_name: worker), body: .json(status))
        }) { output in
            switch output {
            case .noContent: ()
            case .default(let code, let r): throw MasterClientError(status: code, body: try r.body.json)
            }
        }
    }
}
