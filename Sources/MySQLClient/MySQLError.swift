import CMariaDB

/// Every failure of MySQLClient: what kind of failure, the server's error number and SQLSTATE when
/// the server (or libmariadb) reported one, and a message that names the call and the cause.
public struct MySQLError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely enough that callers can decide to retry, reconnect or give up.
    public enum Code: Sendable, Hashable {
        /// Connecting or authenticating failed (wrong password: `serverErrno` 1045).
        case connect
        /// The server rejected a statement (`serverErrno` is the server's error number, e.g. 1062).
        case server
        /// The connection is gone: server shut down, network error or read/write timeout (2006, 2013).
        case connectionLost
        /// libmariadb failed on the client side (e.g. commands out of sync, out of memory).
        case client
        /// The server or libmariadb answered something this wrapper did not expect.
        case protocolViolation
        /// A binlog event body could not be decoded (malformed, truncated or unsupported).
        case decode
        /// The replication stream failed (set-up, dump request or an error reported by the server while dumping).
        case binlog
        /// The connection or stream was used after `close()`.
        case closed
        /// The waiting task was cancelled.
        case cancelled
        /// An argument cannot be expressed (e.g. NaN as a SQL literal, a NUL byte in an option).
        case invalidArgument
    }

    public var code: Code
    /// `mysql_errno` (server errors are 1000–1999 and 3000+, client errors 2000–2999); nil when none.
    public var serverErrno: UInt32?
    /// The five-character SQLSTATE when there is a meaningful one (not `00000`/`HY000`).
    public var sqlState: String?
    public var message: String
    /// A lower-level error this one wraps (e.g. the rollback failure after a failed transaction body).
    public var cause: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, serverErrno: UInt32? = nil, sqlState: String? = nil,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.serverErrno = serverErrno
        self.sqlState = sqlState
        self.cause = cause
    }

    public var description: String {
        var text = "MySQLError.\(self.code): \(self.message)"
        if let errno = self.serverErrno { text += " [errno \(errno)" + (self.sqlState.map { ", SQLSTATE \($0)" } ?? "") + "]" }
        if let cause = self.cause { text += " (cause: \(cause))" }
        return text
    }
}

extension MySQLError {
    /// The one place libmariadb's error state becomes a `MySQLError`: reads `mysql_errno`,
    /// `mysql_sqlstate` and `mysql_error` from the handle and classifies them. `call` names the
    /// failed call for the message; `during` overrides the code for phases where every failure
    /// means the same thing (connecting).
    static func fromHandle(_ mysql: UnsafeMutablePointer<MYSQL>, call: String, during phase: Code? = nil) -> MySQLError {
        let errno = UInt32(mysql_errno(mysql))
        let text = String(cString: mysql_error(mysql))
        let state = String(cString: mysql_sqlstate(mysql))
        let sqlState = (state.isEmpty || state == "00000" || state == "HY000") ? nil : state
        let code: Code
        if let phase {
            code = phase
        } else {
            switch errno {
            case 0: code = .protocolViolation
            case 2006, 2013, 2055: code = .connectionLost
            case 2000..<3000: code = .client
            default: code = .server
            }
        }
        let message = errno == 0 ? "\(call) failed without an error from libmariadb" : "\(call): \(text)"
        return MySQLError(code, message, serverErrno: errno == 0 ? nil : errno, sqlState: sqlState)
    }

    /// Checks a libmariadb status return (0 = success) and throws the handle's error otherwise.
    static func check(_ status: Int32, _ mysql: UnsafeMutablePointer<MYSQL>, call: String, during phase: Code? = nil) throws(MySQLError) {
        if status != 0 { throw self.fromHandle(mysql, call: call, during: phase) }
    }

    static func closed(_ what: String) -> MySQLError {
        MySQLError(.closed, "\(what): the connection is closed")
    }
}
