import API
public import Domain
import Synchronization

/// The binlog operations (`binlog skip|replace`) of each subtask as the latest watch view listed
/// them. The supervisor replaces a subtask's entry on every view, before it resumes the subtask, so
/// a `binlog skip` followed by `resume-task` is seen by the sync engine when it re-reads the event.
final class BinlogOperationBook: Sendable {
    private let operations = Mutex<[SubtaskKey: [BinlogPosition: BinlogOperation]]>([:])

    /// Records the subtask's operations; `true` when an operation was added or changed.
    @discardableResult
    func set(_ key: SubtaskKey, _ operations: [BinlogOperation]) -> Bool {
        let byPosition = Dictionary(operations.map { ($0.position, $0) }, uniquingKeysWith: { _, last in last })
        return self.operations.withLock { all in
            let before = all[key] ?? [:]
            all[key] = byPosition.isEmpty ? nil : byPosition
            return byPosition.contains { before[$0.key] != $0.value }
        }
    }

    func retain(_ keys: Set<SubtaskKey>) {
        self.operations.withLock { all in all = all.filter { keys.contains($0.key) } }
    }

    func operation(_ key: SubtaskKey, at position: BinlogPosition) -> BinlogOperation? {
        self.operations.withLock { $0[key]?[position] }
    }

    /// The lookup one subtask's sync engine consults at each DDL event.
    func lookup(_ key: SubtaskKey) -> @Sendable (BinlogPosition) -> BinlogOperation? {
        { [self] position in self.operation(key, at: position) }
    }

    /// The operations of a view's subtask entry; entries that do not decode are dropped (the master
    /// validated them, so one would mean a version skew) and reported through `invalid`.
    static func operations(
        _ wire: [Components.Schemas.BinlogOperation]?, invalid: (String) -> Void
    ) -> [BinlogOperation] {
        (wire ?? []).compactMap { op in
            guard let position = try? BinlogPosition.parse(op.binlog_pos) else {
                invalid("binlog operation at unreadable position \(op.binlog_pos)")
                return nil
            }
            switch op.action {
            case .skip: return .skip(at: position)
            case .replace: return .replace(at: position, with: op.sqls)
            }
        }
    }
}
