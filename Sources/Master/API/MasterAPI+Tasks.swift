import API
import Domain

/// Tasks: start from DM `task.yaml` (raw or inside JSON), stop, pause, resume, status.
extension MasterAPI {
    public func listTasks(_ input: Operations.listTasks.Input) async throws -> Operations.listTasks.Output {
        let s = await self.state.scheduling
        return .ok(.init(body: .json(s.tasks.keys.sorted().compactMap { Conversions.task($0, s, self.statuses) })))
    }

    public func getTask(_ input: Operations.getTask.Input) async throws -> Operations.getTask.Output {
        await self.answer("getTask", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            .ok(.init(body: .json(try await self.taskStatus(TaskName(input.path.task_hyphen_name)))))
        }
    }

    /// `start-task [--remove-meta] [-s ...]`. With `remove_meta`, a task of the same name that is
    /// still running is stopped first: its removal drops its shard-DDL locks and optimistic
    /// metadata (the engine's `taskRemoved` reactions), so the new task starts clean.
    public func startTask(_ input: Operations.startTask.Input) async throws -> Operations.startTask.Output {
        await self.answer("startTask", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let yaml: String
            var removeMeta = input.query.remove_meta ?? false
            var sources = input.query.source ?? []
            var strict = input.query.strict ?? false
            switch input.body {
            case .json(let request):
                yaml = request.task_yaml
                removeMeta = request.remove_meta ?? removeMeta
                strict = request.strict ?? strict
                if let list = request.source_name_list, !list.isEmpty { sources = list }
            case .yaml(let raw):
                yaml = try await self.text(raw)
            }
            let config: TaskConfig
            let warnings: [String]
            do throws(ConfigError) {
                let loaded = try TaskConfig.load(yaml: yaml)
                config = try loaded.checked(strict: strict)
                warnings = self.reported(loaded.warnings, of: "task.yaml")
            } catch {
                throw APIFailure.config(error)
            }
            if removeMeta, await self.state.scheduling.tasks[config.name] != nil {
                try await self.submit(.scheduling(.stopTask(config.name)))
                self.logger.info("task stopped for remove-meta", metadata: ["task": "\(config.name)"])
            }
            let subset = sources.isEmpty ? nil : Set(sources.map(SourceID.init))
            try await self.submit(.scheduling(.startTask(config, sources: subset)))
            self.logger.info("task started", metadata: ["task": "\(config.name)", "sources": "\(sources)"])
            var status = try await self.taskStatus(config.name)
            status.warnings = warnings
            return .created(.init(body: .json(status)))
        }
    }

    public func stopTask(_ input: Operations.stopTask.Input) async throws -> Operations.stopTask.Output {
        await self.answer("stopTask", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = TaskName(input.path.task_hyphen_name)
            try await self.forEachSource(input.query.source) { source throws(APIFailure) in
                try await self.submit(.scheduling(.stopTask(name, source: source)))
            }
            return .noContent(.init())
        }
    }

    public func pauseTask(_ input: Operations.pauseTask.Input) async throws -> Operations.pauseTask.Output {
        await self.answer("pauseTask", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = TaskName(input.path.task_hyphen_name)
            try await self.forEachSource(input.query.source) { source throws(APIFailure) in
                try await self.submit(.scheduling(.pauseTask(name, source: source)))
            }
            return .ok(.init(body: .json(try await self.taskStatus(name))))
        }
    }

    public func resumeTask(_ input: Operations.resumeTask.Input) async throws -> Operations.resumeTask.Output {
        await self.answer("resumeTask", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = TaskName(input.path.task_hyphen_name)
            try await self.forEachSource(input.query.source) { source throws(APIFailure) in
                try await self.submit(.scheduling(.resumeTask(name, source: source)))
            }
            return .ok(.init(body: .json(try await self.taskStatus(name))))
        }
    }

    // MARK: - Helpers

    /// Runs `body` once with `nil` (the whole task) when no source is listed, else once per source.
    /// Not atomic across sources: each source's command is its own decision, as in DM.
    func forEachSource(_ list: [String]?, _ body: (SourceID?) async throws(APIFailure) -> Void) async throws(APIFailure) {
        let sources = (list ?? []).filter { !$0.isEmpty }
        if sources.isEmpty { return try await body(nil) }
        for source in sources { try await body(SourceID(source)) }
    }

    func taskStatus(_ name: TaskName) async throws(APIFailure) -> Components.Schemas.TaskStatus {
        guard let status = Conversions.task(name, await self.state.scheduling, self.statuses) else {
            throw .notFound("task \(name) not found")
        }
        return status
    }
}
