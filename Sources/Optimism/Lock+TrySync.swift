import Domain
import Schema

/// What one Info does to a lock: DM's `Lock.TrySync`, computed on a copy of the lock so that the
/// decider can record the outcome as events.
struct SyncOutcome {
    var ddls: [String] = []
    var stage: ConflictStage = .none
    var message = ""
    /// Columns the table dropped while they stay downstream (tracked `DropNotDone`).
    var cols: [String] = []
    /// Columns whose DROP COLUMN is among `ddls`.
    var executedDrops: [String] = []
    /// Other conflicting tables that now agree: they take these schemas and get redirected.
    var redirected: [SourceTable: TableInfo] = [:]
}

/// The result of one DDL of an Info.
private struct Step {
    enum Kind { case none, resolved, detected, skip }
    var changed: Bool
    var kind: Kind
    /// The joins before and after, when the normal path computed them (saves two joins later).
    var joins: (old: TableInfo, new: TableInfo)?
    var reason = ""
}

extension Optimism.Lock {
    /// Applies `info` to this lock (which must hold its table) and says what the table must do.
    mutating func trySync(_ info: OptimismInfo, strict: Bool) -> SyncOutcome {
        let key = info.sourceTable
        var outcome = SyncOutcome()
        var prev = info.tableInfoBefore
        var droppedInInfo = Set<String>()
        for (ddl, post) in zip(info.ddls, info.tableInfosAfter) {
            let step = self.trySyncOne(key, prev: prev, post: post, redirected: &outcome.redirected)
            switch step.kind {
            case .detected:
                self.revert(key, to: info.tableInfoBefore)
                return self.failed(
                    outcome, strict: strict,
                    "there will be conflicts if DDLs \(ddl) are applied to the downstream: \(step.reason)")
            case .skip:
                if strict {
                    self.revert(key, to: info.tableInfoBefore)
                    return self.failed(
                        outcome, strict: true,
                        "DDL \(ddl) conflicts with other tables (strict optimistic shard mode): \(step.reason)")
                }
                outcome.stage = .skipAndWaitForRedirect
                outcome.message = "DDL \(ddl) conflicts with other tables for now; skip and wait for redirect: \(step.reason)"
                return outcome
            case .none:
                let columns = ColumnChange(prev, post)
                switch self.checkAddDropColumn(key, ddl, prev, post, columns, step.joins, droppedInInfo) {
                case .failure(let message):
                    // Not a conflict that other tables can still resolve: like DM, the table's
                    // subtask pauses (stage `error`) in every mode; `binlog skip|replace` or an
                    // unlock is the way out.
                    self.revert(key, to: info.tableInfoBefore)
                    return self.failed(outcome, strict: true, message)
                case .success(let dropped):
                    outcome.cols += dropped
                    droppedInInfo.formUnion(columns.dropped)
                    if step.changed { outcome.executedDrops += columns.dropped.sorted() }
                }
            case .resolved:
                let columns = ColumnChange(prev, post)
                droppedInInfo.formUnion(columns.dropped)
                if step.changed { outcome.executedDrops += columns.dropped.sorted() }
            }
            if step.changed { outcome.ddls.append(ddl) }
            prev = post
        }
        return outcome
    }

    private func failed(_ outcome: SyncOutcome, strict: Bool, _ message: String) -> SyncOutcome {
        var failed = SyncOutcome()
        failed.redirected = outcome.redirected
        failed.stage = strict ? .error : .detected
        failed.message = message
        return failed
    }

    /// Any failure puts the table back where the Info started (DM reverts to `TableInfoBefore`).
    private mutating func revert(_ key: SourceTable, to before: TableInfo) {
        self.tables[key]!.conflict = nil
        self.setSchema(key, before, grew: false)
    }

    /// DM's `TrySyncForOneDDL`.
    private mutating func trySyncOne(
        _ key: SourceTable, prev: TableInfo, post: TableInfo, redirected: inout [SourceTable: TableInfo]
    ) -> Step {
        // One conflict per table: a new DDL replaces the table's pending one.
        self.tables[key]!.conflict = nil
        var idempotent = false
        if !Lattice.equal(prev, self.tables[key]!.schema) {
            // The master's view differs from the worker's (re-sent Info, restart): trust the worker.
            idempotent = Lattice.equal(post, self.tables[key]!.schema)
            self.setSchema(key, prev, grew: false)
        }
        let oldJoined = self.joined
        if let order = Lattice.compare(prev, post) {
            self.setSchema(key, post, grew: order != .greater, shrank: order == .greater)
            if let newJoined = self.joined {
                if self.hasConflicts, self.noConflictForFinalTables() {
                    redirected.merge(self.resolveConflicts(except: key)) { $1 }
                    return Step(changed: true, kind: .resolved)
                }
                guard let oldJoined else { return Step(changed: true, kind: .none) }
                let joinedChanged = Lattice.compare(oldJoined, newJoined) != .equal
                let changed = joinedChanged || Lattice.equal(post, oldJoined) || order == .less
                return Step(changed: changed, kind: .none, joins: (oldJoined, newJoined))
            }
            self.tables[key]!.schema = prev
            self.joined = oldJoined
        }
        if idempotent || self.anotherTable(than: key, has: post) {
            self.setSchema(key, post, grew: false)
            return Step(changed: true, kind: .none)
        }
        self.tables[key]!.conflict = post
        let reason = Lattice.incompatibility(prev, post) ?? self.joinFailure(with: post)
        if !self.noConflictForConflictTables() {
            return Step(changed: false, kind: .detected, reason: self.conflictFailure() ?? reason)
        }
        if self.noConflictForFinalTables() {
            redirected.merge(self.resolveConflicts(except: key)) { $1 }
            return Step(changed: true, kind: .resolved)
        }
        return Step(changed: false, kind: .skip, reason: reason)
    }

    /// Why `post` does not join the other tables.
    private func joinFailure(with post: TableInfo) -> String {
        for entry in self.tables.values {
            if let reason = Lattice.incompatibility(entry.schema, post), Lattice.join(entry.schema, post) == nil {
                return reason
            }
        }
        return "the schema does not join the other tables"
    }

    /// Why the conflicting tables disagree among themselves.
    private func conflictFailure() -> String? {
        let conflicts = self.conflictKeys.map { self.tables[$0]!.conflict! }
        for (i, a) in conflicts.enumerated() {
            for b in conflicts[(i + 1)...] where Lattice.join(a, b) == nil {
                return Lattice.incompatibility(a, b)
            }
        }
        return nil
    }
}
