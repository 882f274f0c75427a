/// Why the master could not start.
public struct MasterError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public static func configuration(_ message: String) -> MasterError { MasterError(message: message) }

    public var description: String { self.message }
}
