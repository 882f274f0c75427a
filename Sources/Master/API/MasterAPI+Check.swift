import API
import Domain

/// `check-task`: the precheck of a task.yaml against the live sources and target.
extension MasterAPI {
    public func checkTask(_ input: Operations.checkTask.Input) async throws -> Operations.checkTask.Output {
        await self.answer("checkTask", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let request) = input.body else { throw .badRequest("expected JSON") }
            let loaded: LoadedConfig<TaskConfig>
            do throws(ConfigError) {
                loaded = try TaskConfig.load(yaml: request.task_yaml)
            } catch {
                throw APIFailure.config(error)
            }
            let sources = await self.state.scheduling.sources
            let items = await TaskPrecheck(task: loaded.config, sources: sources).run()
            let checks = items.map {
                Components.Schemas.CheckTaskResult.checksPayloadPayload(
                    name: $0.name, scope: $0.scope, state: .init(rawValue: $0.state.rawValue) ?? .fail, message: $0.message)
            }
            let warnings = loaded.warnings.map(\.description)
            return .ok(.init(body: .json(.init(
                passed: !items.contains { $0.state == .fail }, checks: checks, warnings: warnings.isEmpty ? nil : warnings))))
        }
    }
}
