import Domain

/// Assigns row changes to parallel writers so that changes touching the same key stay in order
/// (DM's causality), deterministically.
///
/// A change goes to the writer its first key hashes to. If any of its keys was touched by another
/// writer since the last flush, the writers must drain first (`needsFlush`): only then is ordering
/// across writers guaranteed. The assignment itself never depends on history, so it is the same
/// after a restart.
public struct Causality: Sendable {
    public let writerCount: Int
    private var owners: [CausalityKey: Int] = [:]

    public init(writerCount: Int) {
        self.writerCount = max(1, writerCount)
    }

    public enum Placement: Sendable, Hashable {
        case writer(Int)
        /// Flush every writer, call `reset()`, then place the change again.
        case flushFirst
    }

    /// Every causality key of a change: each unique key of the old row, and of the new row for updates.
    public static func keys(of change: RowChange) -> [CausalityKey] {
        let shape = change.shape
        let keySets = shape.uniqueKeys.isEmpty ? [shape.key] : shape.uniqueKeys
        var keys: [CausalityKey] = []
        for row in [change.before, change.after].compactMap({ $0 }) {
            for (n, columns) in keySets.enumerated() {
                let key = CausalityKey(table: change.target, keyIndex: n, columns: columns, row: row)
                if !keys.contains(key) { keys.append(key) }
            }
        }
        return keys
    }

    /// The writer a change goes to when nothing conflicts: where its first key hashes.
    public static func home(of change: RowChange, writerCount: Int) -> Int {
        guard let first = Self.keys(of: change).first else { return 0 }
        return Int(first.digest % UInt64(max(1, writerCount)))
    }

    public mutating func place(_ change: RowChange) -> Placement {
        let keys = Self.keys(of: change)
        guard let first = keys.first else { return .writer(0) }
        let writer = Int(first.digest % UInt64(self.writerCount))
        for key in keys {
            if let owner = self.owners[key], owner != writer { return .flushFirst }
        }
        for key in keys { self.owners[key] = writer }
        return .writer(writer)
    }

    /// Forgets ownership once every writer has drained.
    public mutating func reset() { self.owners.removeAll(keepingCapacity: true) }
}
