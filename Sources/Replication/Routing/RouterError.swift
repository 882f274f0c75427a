/// A rule set that cannot be used: an invalid pattern, or an event filter naming an unknown event type.
public struct RouterError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case invalidPattern = "invalid_pattern"
        case unknownEventType = "unknown_event_type"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code.rawValue): \(self.message)" }
}
