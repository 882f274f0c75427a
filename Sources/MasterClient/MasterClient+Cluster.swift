public import API
import OpenAPIRuntime

/// Sources, tasks, cluster members and locks: what `braid ctl` needs.
extension MasterClient {
    public typealias Schemas = Components.Schemas

    public func listSources() async throws(MasterClientError) -> [Schemas.Source] {
        try await self.call({ try await $0.listSources() }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    /// Creates a source from DM's `source.yaml` text, optionally bound to a named free worker.
    /// `strict`: refuse keys Braid does not know or ignores; otherwise they come back as `warnings`.
    public func createSource(yaml: String, worker: String? = nil, strict: Bool = false) async throws(MasterClientError) -> Schemas.Source {
        try await self.call({
            try await $0.createSource(query: .init(worker_name: worker, strict: strict ? true : nil), body: .yaml(HTTPBody(yaml)))
        }) { output in
            switch output {
            case .created(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func updateSource(name: String, yaml: String, strict: Bool = false) async throws(MasterClientError) -> Schemas.Source {
        try await self.call({
            try await $0.updateSource(
                path: .init(source_hyphen_name: name), query: .init(strict: strict ? true : nil), body: .yaml(HTTPBody(yaml)))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func getSource(name: String) async throws(MasterClientError) -> Schemas.Source {
        try await self.call({ try await $0.getSource(path: .init(source_hyphen_name: name)) }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func deleteSource(name: String) async throws(MasterClientError) {
        try await self.call({ try await $0.deleteSource(path: .init(source_hyphen_name: name)) }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func transferSource(name: String, worker: String) async throws(MasterClientError) -> Schemas.Source {
        try await self.call({
            try await $0.transferSource(
                path: .init(source_hyphen_name: name), body: .json(.init(worker_name: worker)))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func listTasks() async throws(MasterClientError) -> [Schemas.TaskStatus] {
        try await self.call({ try await $0.listTasks() }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func getTask(name: String) async throws(MasterClientError) -> Schemas.TaskStatus {
        try await self.call({ try await $0.getTask(path: .init(task_hyphen_name: name)) }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    /// Starts a task from DM's `task.yaml` text.
    public func startTask(yaml: String, removeMeta: Bool = false, sources: [String] = [], strict: Bool = false)
        async throws(MasterClientError) -> Schemas.TaskStatus
    {
        let request = Schemas.StartTaskRequest(
            task_yaml: yaml, remove_meta: removeMeta, source_name_list: sources.isEmpty ? nil : sources,
            strict: strict ? true : nil)
        return try await self.call({ try await $0.startTask(body: .json(request)) }) { output in
            switch output {
            case .created(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func stopTask(name: String, sources: [String] = []) async throws(MasterClientError) {
        try await self.call({
            try await $0.stopTask(
                path: .init(task_hyphen_name: name), query: .init(source: sources.isEmpty ? nil : sources))
        }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func pauseTask(name: String, sources: [String] = []) async throws(MasterClientError) -> Schemas.TaskStatus {
        try await self.call({
            try await $0.pauseTask(
                path: .init(task_hyphen_name: name), query: .init(source: sources.isEmpty ? nil : sources))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func resumeTask(name: String, sources: [String] = []) async throws(MasterClientError) -> Schemas.TaskStatus {
        try await self.call({
            try await $0.resumeTask(
                path: .init(task_hyphen_name: name), query: .init(source: sources.isEmpty ? nil : sources))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func listMasters() async throws(MasterClientError) -> [Schemas.Master] {
        try await self.call({ try await $0.listMasters() }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func listWorkers() async throws(MasterClientError) -> [Schemas.Worker] {
        try await self.call({ try await $0.listWorkers() }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    /// `operate-leader evict` on the first master that answers (send it to one master).
    public func evictLeader() async throws(MasterClientError) {
        try await self.call({ try await $0.evictLeader() }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func cancelEvictLeader() async throws(MasterClientError) {
        try await self.call({ try await $0.cancelEvictLeader() }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func offlineMaster(name: String) async throws(MasterClientError) {
        try await self.call({ try await $0.offlineMaster(path: .init(master_hyphen_name: name)) }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func offlineWorker(name: String) async throws(MasterClientError) {
        try await self.call({ try await $0.offlineWorker(path: .init(worker_hyphen_name: name)) }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func listLocks(task: String? = nil) async throws(MasterClientError) -> [Schemas.Lock] {
        try await self.call({ try await $0.listLocks(query: .init(task: task)) }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func unlockLock(_ request: Schemas.UnlockRequest) async throws(MasterClientError) -> Schemas.AppendedEvents {
        try await self.call({ try await $0.unlockLock(body: .json(request)) }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }
}

extension MasterClient {
    /// `check-task`: the master's precheck of a task.yaml against the live sources and target.
    public func checkTask(yaml: String) async throws(MasterClientError) -> Schemas.CheckTaskResult {
        try await self.call({ try await $0.checkTask(body: .json(.init(task_yaml: yaml))) }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }
}
