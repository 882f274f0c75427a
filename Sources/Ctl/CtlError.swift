/// A ctl failure before or instead of a master error: exit code 2 for usage, 1 for a refusal.
struct CtlError: Error, Sendable {
    var message: String
    var exitCode: Int32
    static func usage(_ message: String) -> CtlError { CtlError(message: message, exitCode: 2) }
    static func failed(_ message: String) -> CtlError { CtlError(message: message, exitCode: 1) }
}
