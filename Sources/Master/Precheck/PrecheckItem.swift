/// One result of `check-task`: what was checked, where, and whether it passes, only warns, or fails.
public struct PrecheckItem: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Comparable {
        case pass, warn, fail

        public static func < (a: State, b: State) -> Bool { a.rank < b.rank }
        private var rank: Int { switch self { case .pass: 0; case .warn: 1; case .fail: 2 } }
    }

    /// A stable name: `privileges`, `binlog_format`, `binlog_row_image`, `server_id`, `table_key`, ...
    public var name: String
    /// The source (or `target`) it concerns; empty for the task as a whole.
    public var scope: String
    public var state: State
    public var message: String

    public init(_ name: String, scope: String, _ state: State, _ message: String) {
        self.name = name
        self.scope = scope
        self.state = state
        self.message = message
    }
}
