import API

/// A failed call to the master, typed so callers can branch on `code` instead of parsing text.
///
/// Error bodies from the master (`Components.Schemas.Error`) keep their HTTP status, stable code,
/// message and, for bad input, the field path. Failures that never produced a response (every
/// address unreachable, an undecodable body) use the codes below with `status == nil`.
public struct MasterClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status, or `nil` when no response was received.
    public var status: Int?
    /// The master's stable code (`not_found`, `conflict`, ...) or one of the client-side codes.
    public var code: String
    public var message: String
    /// The field path of bad input, as the master named it.
    public var field: String?

    public init(status: Int?, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// No configured master answered (connection refused, timed out, ...).
    public static let unavailableCode = "unavailable"
    /// A response arrived but did not match the contract.
    public static let unexpectedResponseCode = "unexpected_response"
    /// The caller's task was cancelled.
    public static let cancelledCode = "cancelled"

    init(status: Int, body: Components.Schemas._Error) {
        self.init(status: status, code: body.code, message: body.message, field: body.field)
    }

    public var description: String {
        var text = "\(self.code): \(self.message)"
        if let field = self.field { text += " (field \(field))" }
        if let status = self.status { text += " [HTTP \(status)]" }
        return text
    }
}
