import AsyncHTTPClient
import NIOCore
import NIOPosix
import OpenAPIRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FailoverMiddleware {
    /// A short human reason for a failed attempt ("connection refused", "connect timeout"), for the
    /// `unavailable` message an operator reads; AHC and NIO describe errors as nested structs.
    static func summary(_ error: any Error) -> String {
        switch error {
        case let error as ClientError:
            // The runtime hands transport errors to middlewares wrapped; keep only the cause.
            return self.summary(error.underlyingError)
        case let error as HTTPClientError:
            return self.summary(error)
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first {
                let reasons = error.connectionErrors.map { self.summary($0.error) }
                return reasons.allSatisfy { $0 == reasons[0] } ? self.summary(first.error) : reasons.joined(separator: ", ")
            }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(dns)" }
            return "cannot connect to \(error.host):\(error.port)"
        case let error as IOError:
            return self.errnoText(error.errnoCode)
        case ChannelError.connectTimeout:
            return "connect timeout"
        case let error as ChannelError:
            return "\(error)"
        default:
            return "\(error)"
        }
    }

    private static func summary(_ error: HTTPClientError) -> String {
        switch error {
        case .connectTimeout, .getConnectionFromPoolTimeout: "connect timeout"
        case .deadlineExceeded: "request timeout"
        case .readTimeout: "read timeout"
        case .writeTimeout: "write timeout"
        case .remoteConnectionClosed: "connection closed by the master"
        case .cancelled: "cancelled"
        default: "\(error)"
        }
    }

    /// `strerror` in lower case: "connection refused", "connection reset by peer", ...
    private static func errnoText(_ code: CInt) -> String {
        String(cString: strerror(code)).lowercased()
    }

    /// Cancellation as the caller's task sees it: AHC reports a cancelled request as its own error.
    static func isCancellation(_ error: any Error) -> Bool {
        if Task.isCancelled || error is CancellationError { return true }
        switch error {
        case let error as ClientError: return self.isCancellation(error.underlyingError)
        case let error as HTTPClientError: return error == .cancelled
        default: return false
        }
    }
}
