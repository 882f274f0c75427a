import Domain
import Schema

/// Which columns one DDL added and dropped, found by diffing the schemas before and after it
/// (names lower-cased, as MySQL matches them). A rename shows up as one of each.
struct ColumnChange {
    var added: Set<String>
    var dropped: Set<String>

    init(_ before: TableInfo, _ after: TableInfo) {
        let old = Set(before.columns.map { $0.name.lowercased() })
        let new = Set(after.columns.map { $0.name.lowercased() })
        self.added = new.subtracting(old)
        self.dropped = old.subtracting(new)
    }
}

enum ColumnCheck {
    /// The columns dropped that stay downstream for now.
    case success([String])
    case failure(String)
}

extension Optimism.Lock {
    /// DM's `checkAddDropColumn`: an ADD COLUMN must not re-add a column some table dropped while
    /// it is still downstream (its old values would come back), nor add it with another length;
    /// a DROP COLUMN that leaves the joined schema as big as before is tracked until done.
    func checkAddDropColumn(
        _ key: SourceTable, _ ddl: String, _ prev: TableInfo, _ post: TableInfo, _ change: ColumnChange,
        _ joins: (old: TableInfo, new: TableInfo)?, _ droppedInInfo: Set<String>
    ) -> ColumnCheck {
        guard !change.added.isEmpty || !change.dropped.isEmpty else { return .success([]) }
        let oldJoined: TableInfo
        let newJoined: TableInfo
        if let joins {
            (oldJoined, newJoined) = joins
        } else {
            var before = self
            before.tables[key]!.schema = prev
            guard let old = before.recomputedJoined(), let new = self.recomputedJoined() else { return .success([]) }
            (oldJoined, newJoined) = (old, new)
        }
        guard let order = Lattice.compare(oldJoined, newJoined) else { return .success([]) }
        if order != .greater {
            for column in change.added.sorted() {
                if let message = Self.differentLength(column, ddl, oldJoined, newJoined)
                    ?? Self.differentLength(column, ddl, post, newJoined)
                {
                    return .failure(message)
                }
                if self.droppedColumns[column]?[key] != nil || droppedInInfo.contains(column) {
                    return .failure("add column \(column) that wasn't fully dropped in downstream. ddl: \(ddl)")
                }
            }
        }
        return .success(order != .less ? change.dropped.sorted() : [])
    }

    /// DM's `AddDifferentFieldLenColumns`: the same column added with two lengths would silently
    /// widen (or truncate) one shard's values.
    private static func differentLength(_ column: String, _ ddl: String, _ a: TableInfo, _ b: TableInfo) -> String? {
        guard let x = a.column(named: column), let y = b.column(named: column),
            x.type.effectiveLength != y.type.effectiveLength
        else { return nil }
        let old = x.type.effectiveLength.map(String.init) ?? "none"
        let new = y.type.effectiveLength.map(String.init) ?? "none"
        return "add columns with different field lengths. ddl: \(ddl), origLen: \(old), newLen: \(new)"
    }
}
