extension Scheduling {
    /// Why a command was refused. Nothing is appended for a refused command.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
            case workerNotFound
            /// The worker name is registered with another address.
            case workerAddressConflict
            /// `offline-member` of a worker that is still alive.
            case workerNotOffline
            /// The target worker of a bind or transfer is offline or already bound.
            case workerNotFree
            case sourceNotFound
            case sourceExists
            /// The source is used by a subtask (DM `ErrSchedulerSourceOpTaskExist`).
            case sourceInUse
            /// A task names a source no worker serves (DM `ErrSchedulerSourcesUnbound`).
            case sourceUnbound
            case taskExists
            case taskNotFound
            case subtaskNotFound
            /// `binlog revert` of a position that has no operation.
            case binlogOperationNotFound
            /// `binlog-schema update|delete` of a subtask that is not paused (DM requires `pause-task` first).
            case subtaskNotPaused
            /// A report from a worker that no longer holds the source's binding, or an older epoch.
            case staleBinding
            /// The command itself is malformed (empty name, non-positive TTL, ...).
            case invalidCommand
        }

        public var code: Code
        public var message: String

        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { "\(self.code.rawValue): \(self.message)" }
    }
}
