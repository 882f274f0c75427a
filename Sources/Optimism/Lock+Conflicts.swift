import Domain
import Schema

/// The conflict tests of DM's `lock.go`, phrased on this lock's tables.
///
/// A conflicting DDL makes a table partly bigger and partly smaller (rename `a` to `b`: gains `b`,
/// loses `a`). The conflict is over when every conflicting table lost what it dropped in every
/// other table too ("all smaller") and every table has what it gained ("all larger"): then the
/// final schemas agree and the skipped tables can be redirected.
extension Optimism.Lock {
    /// Tables with a pending conflicting DDL, in table order.
    var conflictKeys: [SourceTable] { self.tables.compactMap { $0.value.hasConflict ? $0.key : nil }.sorted() }

    /// Whether the conflicting DDLs agree among themselves.
    func noConflictForConflictTables() -> Bool {
        let keys = self.conflictKeys
        let conflicts = keys.map { self.tables[$0]!.conflict! }
        guard let joined = Lattice.joinAll(conflicts) else { return keys.isEmpty }
        return self.allSmaller(than: joined, keys) && self.allLarger(judging: conflicts, keys)
    }

    /// Whether every table, with its conflicting DDL applied, agrees with every other.
    func noConflictForFinalTables() -> Bool {
        let keys = self.conflictKeys
        let finals = self.tables.keys.sorted().map { self.tables[$0]!.final }
        guard let joined = Lattice.joinAll(finals) else { return false }
        return self.allSmaller(than: joined, keys) && self.allLarger(judging: finals, keys)
    }

    /// Every conflicting table's old schema is incomparable with `joined`: what it dropped, no one has.
    private func allSmaller(than joined: TableInfo, _ keys: [SourceTable]) -> Bool {
        keys.allSatisfy { Lattice.compare(joined, self.tables[$0]!.schema) == nil }
    }

    /// Every judged schema, joined with a conflicting table's old one, covers its new one: what
    /// it gained, everyone has.
    private func allLarger(judging judged: [TableInfo], _ keys: [SourceTable]) -> Bool {
        for key in keys {
            let entry = self.tables[key]!
            let wanted = entry.conflict!
            for other in judged {
                let joined = Lattice.join(entry.schema, other) ?? other
                guard let order = Lattice.compare(joined, wanted), order != .less else { return false }
            }
        }
        return true
    }

    /// Whether another table already has exactly `post`: the caller is catching up with a
    /// conflicting DDL that the others already went through.
    func anotherTable(than key: SourceTable, has post: TableInfo) -> Bool {
        self.tables.contains { other, entry in other != key && Lattice.equal(entry.schema, post) }
    }

    /// Every conflicting table takes its conflict schema (DM's `resolveTables`); returns those
    /// other than `caller` with their new schemas, the ones to redirect.
    mutating func resolveConflicts(except caller: SourceTable?) -> [SourceTable: TableInfo] {
        var redirected: [SourceTable: TableInfo] = [:]
        for key in self.conflictKeys {
            let schema = self.tables[key]!.conflict!
            self.tables[key]!.schema = schema
            self.tables[key]!.conflict = nil
            if key != caller { redirected[key] = schema }
        }
        self.joined = self.recomputedJoined()
        return redirected
    }

    /// Sets a table's schema and keeps `joined` current. When the schema only grew, the new join
    /// is the old one joined with it (join is monotone). When it only shrank (`shrank`: the new
    /// schema is below the old one, hence below the join) and another table still has exactly
    /// the joined schema, the join cannot change. Otherwise it is recomputed.
    mutating func setSchema(_ key: SourceTable, _ schema: TableInfo, grew: Bool, shrank: Bool = false) {
        self.tables[key]!.schema = schema
        if grew {
            if let joined = self.joined { self.joined = Lattice.join(joined, schema) }
        } else if shrank, let joined = self.joined, self.anotherTable(than: key, isIdenticalTo: joined) {
            return
        } else {
            self.joined = self.recomputedJoined()
        }
    }

    /// Whether a table other than `key` has `schema` structurally (no lattice work: a witness that
    /// the join is still `schema`).
    private func anotherTable(than key: SourceTable, isIdenticalTo schema: TableInfo) -> Bool {
        for (other, entry) in self.tables where Lattice.identical(entry.schema, schema) && other != key {
            return true
        }
        return false
    }
}
