import API
import Domain
import Foundation
import Logging
import OpenAPIRuntime
import Leader
import Projections
import Prometheus

/// The master's `APIProtocol`: every operation becomes `ClusterCommand`s executed through the
/// leader loop (`EngineHost.submit`) or a read of its published state. Handlers never write the
/// log themselves, so all writes stay serialized and term-fenced.
public struct MasterAPI: APIProtocol {
    let host: EngineHost
    let configuration: MasterConfiguration
    let clock: MasterClock
    let secrets: SecretBox
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let statuses = SubtaskStatusBoard()
    let views: WorkerViewMemo
    let liveness: LivenessBoard
    /// The masters of an HA cluster; `nil` in embedded mode (this master is the only one).
    let members: (any MemberDirectory)?

    init(
        host: EngineHost, configuration: MasterConfiguration, clock: MasterClock, secrets: SecretBox,
        registry: PrometheusCollectorRegistry, liveness: LivenessBoard, members: (any MemberDirectory)? = nil, logger: Logger
    ) {
        self.host = host
        self.members = members
        self.liveness = liveness
        self.configuration = configuration
        self.clock = clock
        self.secrets = secrets
        self.views = WorkerViewMemo(secrets: secrets)
        self.registry = registry
        self.logger = logger
    }

    /// Runs `work` and turns an `APIFailure` into the operation's `default` (error) answer.
    func answer<Output>(
        _ operation: String,
        _ failure: (Int, Components.Responses._Error) -> Output,
        _ work: () async throws(APIFailure) -> Output
    ) async -> Output {
        do {
            return try await work()
        } catch {
            if error.status >= 500 {
                self.logger.error("request failed", metadata: ["operation": "\(operation)", "error": "\(error.message)"])
            } else {
                self.logger.debug("request refused", metadata: [
                    "operation": "\(operation)", "status": "\(error.status)", "error": "\(error.message)",
                ])
            }
            return failure(error.status, Components.Responses._Error(body: .json(error.body)))
        }
    }

    /// Executes one command through the leader loop, mapping refusals to API errors.
    @discardableResult
    func submit(_ command: ClusterCommand) async throws(APIFailure) -> EngineHost.Appended {
        do {
            return try await self.host.submit(command, now: self.clock.now())
        } catch {
            throw APIFailure.from(error)
        }
    }

    /// The `AppendedEvents` answer for one command. A rejected Info's name carries its reason after
    /// ": " (DM's text, e.g. "... is different with ..."), so the worker can say why it is stuck.
    func appended(_ result: EngineHost.Appended) -> Components.Schemas.AppendedEvents {
        Components.Schemas.AppendedEvents(
            first_sequence: Int64(result.firstSequence),
            events: result.events.map { event in
                if case .pessimism(.infoRejected(let info, let reason, _)) = event {
                    return "\(event.name): \(reason.message(for: info))"
                }
                if case .optimism(.infoRejected(_, let reason)) = event { return "\(event.name): \(reason)" }
                return event.name
            })
    }

    var state: ClusterState { get async { await self.host.state } }

    /// Reads a raw `application/yaml` body (the body-limit middleware already bounded its size).
    func text(_ body: HTTPBody) async throws(APIFailure) -> String {
        do {
            return try await String(collecting: body, upTo: self.configuration.maxBodyBytes)
        } catch {
            throw APIFailure(status: 413, code: "too_large", message: "request body: \(error)")
        }
    }

    public func getSpec(_ input: Operations.getSpec.Input) async throws -> Operations.getSpec.Output {
        .ok(.init(body: .yaml(HTTPBody(APISpec.yaml ?? ""))))
    }
}
