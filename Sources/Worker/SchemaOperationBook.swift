public import Domain
import Synchronization

/// The schema operations (`binlog-schema update|delete`) of each subtask as the latest watch view
/// listed them. A Syncer reads its subtask's entry when it is created, so a subtask that its error
/// paused picks up operations recorded meanwhile at `resume-task`; the supervisor restarts a subtask
/// that `pause-task` suspended mid-stream, whose Syncer would otherwise keep its in-memory schemas.
final class SchemaOperationBook: Sendable {
    private let operations = Mutex<[SubtaskKey: [SchemaOperation]]>([:])

    /// Records the subtask's operations; `true` when they differ from what was recorded.
    @discardableResult
    func set(_ key: SubtaskKey, _ operations: [SchemaOperation]) -> Bool {
        self.operations.withLock { all in
            let before = all[key] ?? []
            all[key] = operations.isEmpty ? nil : operations
            return before != operations
        }
    }

    func retain(_ keys: Set<SubtaskKey>) {
        self.operations.withLock { all in all = all.filter { keys.contains($0.key) } }
    }

    /// What one subtask's sync engine reads when it starts.
    func lookup(_ key: SubtaskKey) -> @Sendable () -> [SchemaOperation] {
        { [self] in self.operations.withLock { $0[key] ?? [] } }
    }
}
