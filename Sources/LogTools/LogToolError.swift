/// Errors of the offline log tools, each naming what the operator has to fix.
public enum LogToolError: Error, CustomStringConvertible {
    case noLog(String)
    case badArgument(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .noLog(let dir): "no event log in data directory \(dir) (expected \(DataDirectory.logPath(dir))/data.mdb)"
        case .badArgument(let text): text
        case .notFound(let text): text
        }
    }
}
