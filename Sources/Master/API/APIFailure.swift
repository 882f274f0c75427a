import API
import Domain
import Optimism
import Pessimism
import Leader
import Projections
import Scheduling

/// An API error: the HTTP status and the `Error` body. Every handler maps its failures to one of
/// these at the edge; the decider codes are mapped deliberately, code by code, below.
public struct APIFailure: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var field: String?

    public init(status: Int, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIFailure {
        APIFailure(status: 400, code: "bad_request", message: message, field: field)
    }

    static func notFound(_ message: String) -> APIFailure { APIFailure(status: 404, code: "not_found", message: message) }

    static func conflict(_ message: String) -> APIFailure { APIFailure(status: 409, code: "conflict", message: message) }

    /// A bad `source.yaml`/`task.yaml`: 400 naming the field path (and the line for malformed YAML).
    static func config(_ error: ConfigError) -> APIFailure {
        APIFailure(status: 400, code: "bad_request", message: error.description, field: error.path.isEmpty ? nil : error.path)
    }

    var body: Components.Schemas._Error {
        Components.Schemas._Error(code: self.code, message: self.message, field: self.field)
    }

    /// Maps a refused command or a storage failure.
    static func from(_ failure: EngineHost.Failure) -> APIFailure {
        switch failure {
        case .storage(let error):
            // A fenced term means another leader took over; the caller should go there.
            return APIFailure(status: 503, code: "unavailable", message: "log: \(error)")
        case .rejected(let error):
            return self.from(error)
        }
    }

    static func from(_ error: ClusterError) -> APIFailure {
        if let e = error.underlying as? Scheduling.Error {
            let status: Int = switch e.code {
            case .workerNotFound, .sourceNotFound, .taskNotFound, .subtaskNotFound, .binlogOperationNotFound: 404
            case .invalidCommand: 400
            case .workerAddressConflict, .workerNotOffline, .workerNotFree, .sourceExists, .sourceInUse,
                 .sourceUnbound, .taskExists, .staleBinding, .subtaskNotPaused: 409
            }
            return APIFailure(status: status, code: self.code(for: status), message: "\(e.code.rawValue): \(e.message)")
        }
        if let e = error.underlying as? Pessimism.Error {
            let (status, name): (Int, String) = switch e.code {
            case .emptyDDLs: (400, "emptyDDLs")
            case .lockNotFound: (404, "lockNotFound")
            case .ownerNotSynced: (409, "ownerNotSynced")
            case .ownerAlreadyExecuting: (409, "ownerAlreadyExecuting")
            case .operationNotIssued: (409, "operationNotIssued")
            case .staleOperation: (409, "staleOperation")
            }
            return APIFailure(status: status, code: self.code(for: status), message: "\(name): \(e.message)")
        }
        if let e = error.underlying as? Optimism.Error {
            let status: Int = switch e.code {
            case .lockNotFound, .tableNotInLock: 404
            case .tableNotStuck: 409
            }
            return APIFailure(status: status, code: self.code(for: status), message: "\(e.code.rawValue): \(e.message)")
        }
        return APIFailure(status: 409, code: "conflict", message: error.description)
    }

    static func code(for status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 404: "not_found"
        case 409: "conflict"
        case 413: "too_large"
        case 429: "rate_limited"
        default: "unavailable"
        }
    }
}
