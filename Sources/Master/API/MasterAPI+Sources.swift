import API
import Domain

/// Sources: CRUD from JSON or DM `source.yaml`, status and transfer.
extension MasterAPI {
    public func listSources(_ input: Operations.listSources.Input) async throws -> Operations.listSources.Output {
        let s = await self.state.scheduling
        return .ok(.init(body: .json(s.sources.keys.sorted().compactMap { Conversions.source($0, s) })))
    }

    public func createSource(_ input: Operations.createSource.Input) async throws -> Operations.createSource.Output {
        await self.answer("createSource", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let (config, warnings) = try await self.sourceConfig(input.body, strict: input.query.strict ?? false)
            let worker = input.query.worker_name.flatMap { $0.isEmpty ? nil : WorkerName($0) }
            try await self.submit(.scheduling(.addSource(config, worker: worker)))
            self.logger.info("source created", metadata: ["source": "\(config.sourceID)", "from": "\(config.from)"])
            var source = try await self.source(config.sourceID)
            source.warnings = warnings
            return .created(.init(body: .json(source)))
        }
    }

    public func getSource(_ input: Operations.getSource.Input) async throws -> Operations.getSource.Output {
        await self.answer("getSource", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            .ok(.init(body: .json(try await self.source(SourceID(input.path.source_hyphen_name)))))
        }
    }

    public func updateSource(_ input: Operations.updateSource.Input) async throws -> Operations.updateSource.Output {
        await self.answer("updateSource", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let body: Operations.createSource.Input.Body = switch input.body {
            case .json(let json): .json(json)
            case .yaml(let yaml): .yaml(yaml)
            }
            let (config, warnings) = try await self.sourceConfig(body, strict: input.query.strict ?? false)
            guard config.sourceID.rawValue == input.path.source_hyphen_name else {
                throw .badRequest("source_id \(config.sourceID) does not match the path \(input.path.source_hyphen_name)", field: "source_id")
            }
            try await self.submit(.scheduling(.updateSource(config)))
            var source = try await self.source(config.sourceID)
            source.warnings = warnings
            return .ok(.init(body: .json(source)))
        }
    }

    public func deleteSource(_ input: Operations.deleteSource.Input) async throws -> Operations.deleteSource.Output {
        await self.answer("deleteSource", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            try await self.submit(.scheduling(.removeSource(SourceID(input.path.source_hyphen_name))))
            return .noContent(.init())
        }
    }

    public func getSourceStatus(_ input: Operations.getSourceStatus.Input) async throws -> Operations.getSourceStatus.Output {
        await self.answer("getSourceStatus", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let id = SourceID(input.path.source_hyphen_name)
            let s = await self.state.scheduling
            guard s.sources[id] != nil else { throw .notFound("source \(id) not found") }
            let binding = s.bindings[id]
            let subtasks = s.subtasks(ofSource: id).map {
                Conversions.subtask(task: $0.task, source: id, stage: s.expectedStage(task: $0.task, source: id) ?? .running, s, self.statuses)
            }
            return .ok(.init(body: .json(.init(
                source_id: id.rawValue, worker: binding?.worker.rawValue, binding_epoch: binding.map { Int64($0.epoch) },
                subtasks: subtasks))))
        }
    }

    public func transferSource(_ input: Operations.transferSource.Input) async throws -> Operations.transferSource.Output {
        await self.answer("transferSource", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body, !body.worker_name.isEmpty else {
                throw .badRequest("must not be empty", field: "worker_name")
            }
            let id = SourceID(input.path.source_hyphen_name)
            try await self.submit(.scheduling(.transferSource(id, to: WorkerName(body.worker_name))))
            return .ok(.init(body: .json(try await self.source(id))))
        }
    }

    // MARK: - Helpers

    func source(_ id: SourceID) async throws(APIFailure) -> Components.Schemas.Source {
        guard let source = Conversions.source(id, await self.state.scheduling) else { throw .notFound("source \(id) not found") }
        return source
    }

    /// A JSON `SourceConfig` or a DM `source.yaml` with the warnings for the reply (nil for JSON); bad input
    /// is a 400 naming the field, and so are unsupported keys when `strict`.
    func sourceConfig(
        _ body: Operations.createSource.Input.Body, strict: Bool
    ) async throws(APIFailure) -> (SourceConfig, [String]?) {
        switch body {
        case .json(let json):
            return (try Conversions.sourceConfig(json), nil)
        case .yaml(let raw):
            let yaml = try await self.text(raw)
            do throws(ConfigError) {
                let loaded = try SourceConfig.load(yaml: yaml)
                let config = try loaded.checked(strict: strict)
                return (config, self.reported(loaded.warnings, of: "source.yaml"))
            } catch {
                throw APIFailure.config(error)
            }
        }
    }

    /// Logs a config's warnings and returns them for the reply (`path: why`).
    func reported(_ warnings: [ConfigWarning], of file: String) -> [String] {
        for warning in warnings {
            self.logger.notice("\(file)", metadata: ["path": "\(warning.path)", "warning": "\(warning.message)"])
        }
        return warnings.map(\.description)
    }
}
