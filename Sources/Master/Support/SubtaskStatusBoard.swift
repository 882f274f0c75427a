import API
import Domain
import Synchronization

/// The latest status each worker reported per subtask. Kept in master memory only: it is a
/// measurement, not a decision, so it is not logged; after a restart it fills in again as workers report.
final class SubtaskStatusBoard: Sendable {
    struct Key: Hashable, Sendable {
        var task: String
        var source: String
    }

    private let entries = Mutex<[Key: Components.Schemas.SubtaskStatus]>([:])

    func record(_ status: Components.Schemas.SubtaskStatus) {
        self.entries.withLock { $0[Key(task: status.task, source: status.source)] = status }
    }

    func status(task: String, source: String) -> Components.Schemas.SubtaskStatus? {
        self.entries.withLock { $0[Key(task: task, source: source)] }
    }
}
