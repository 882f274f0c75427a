public import Domain
import Schema

extension Optimism {
    /// The events `command` appends, or a typed error for an operator request that cannot apply.
    ///
    /// Worker reports never throw: a report that cannot be used is recorded as a rejection event
    /// so that nothing is silently dropped (dm#628).
    public static func decide(_ command: Command, _ state: State) throws(Error) -> [Event] {
        var emitter = Emitter(state: state)
        switch command {
        case .sourceTables(let task, let source, let tables):
            emitter.sourceTables(task, source, tables)
        case .reportInfo(let info, let strict):
            emitter.reportInfo(info, strict: strict)
        case .operationDone(let lock, let table, let operation):
            emitter.operationDone(lock, table, operation)
        case .unlock(let lock, let table, let action):
            try emitter.unlock(lock, table, action)
        case .forceRemove(let lock):
            try emitter.forceRemove(lock)
        case .taskRemoved(let task):
            emitter.taskRemoved(task)
        case .sourceLeftTask(let task, let source):
            emitter.sourceLeftTask(task, source)
        }
        return emitter.events
    }
}

/// Collects events and applies each to a scratch state as it goes, so later decisions of the
/// same command see earlier ones exactly as `evolve` will.
struct Emitter {
    var state: Optimism.State
    var events: [Event] = []

    mutating func emit(_ event: OptimismEvent) {
        self.events.append(.optimism(event))
        self.state.apply(event)
    }

    // MARK: - Worker reports

    mutating func reportInfo(_ info: OptimismInfo, strict: Bool) {
        guard !info.ddls.isEmpty, info.ddls.count == info.tableInfosAfter.count else {
            let reason = "an Info needs one schema after each DDL: \(info.ddls.count) DDLs, \(info.tableInfosAfter.count) schemas"
            self.emit(.infoRejected(info, reason: reason))
            return
        }
        let id = info.lockID
        let key = info.sourceTable
        if self.state.locks[id] == nil {
            var tables = self.state.routedTables(task: info.task, downstream: info.downstream)
            if tables[key] == nil { tables[key] = info.tableInfoBefore }
            let joined = Lattice.joinAll(tables.keys.sorted().map { tables[$0]! })
            self.emit(.lockCreated(lock: id, task: info.task, downstream: info.downstream, tables: tables, joined: joined))
        } else if self.state.locks[id]!.tables[key] == nil {
            let schema = self.state.sourceTables[info.task]?[info.source]?[info.downstream]?[info.upstream] ?? info.tableInfoBefore
            self.addTable(id, key, schema)
        }
        let entry = self.state.locks[id]!.tables[key]!
        let waitingForWorker = !entry.done && (entry.operation?.stage == ConflictStage.none || entry.operation?.stage == .unlocked)
        self.emit(.infoReported(info))
        // The worker re-sent the Info it already has an operation for: that operation stands.
        if entry.lastInfo == info, waitingForWorker { return }

        // `trySync` runs on the scratch state's own lock (copying a lock of hundreds of tables per
        // command was the cost). The events below carry everything it changed (the table's
        // schema and conflict, the redirected tables, the join), so applying them on top
        // leaves the scratch state exactly where `evolve` will be; nothing reads it afterwards.
        // A re-sent Info (a worker restarted, or reconnected to a restarted master) that still gets
        // the same answer keeps the operation it has: one decision, one identity.
        if entry.lastInfo == info, !entry.done, let current = entry.operation {
            var scratch = self.state.locks[id]!
            let again = scratch.trySync(info, strict: strict)
            if again.redirected.isEmpty, again.ddls == current.ddls, again.stage == current.stage,
                again.message == current.message, again.cols == current.cols, again.executedDrops == current.executedDrops
            {
                return
            }
        }
        let outcome = self.state.locks[id]!.trySync(info, strict: strict)
        let joined = self.state.locks[id]!.joined
        if !outcome.redirected.isEmpty {
            self.redirect(id, outcome.redirected, joined: joined)
        }
        let op = OptimismOperation(
            lock: id, table: key, id: self.state.nextOperationID, ddls: outcome.ddls, stage: outcome.stage,
            message: outcome.message, cols: outcome.cols, executedDrops: outcome.executedDrops)
        let result = self.state.locks[id]!.tables[key]!
        self.emit(
            .operationIssued(
                op, OptimismTableUpdate(schema: result.schema, conflict: result.conflict, unlocked: false, joined: joined)))
    }

    mutating func operationDone(_ id: LockID, _ key: SourceTable, _ operation: UInt64) {
        guard let lock = self.state.locks[id] else {
            self.emit(.operationDoneRejected(lock: id, table: key, operation: operation, reason: "no lock \(id)"))
            return
        }
        guard let entry = lock.tables[key] else {
            self.emit(.operationDoneRejected(lock: id, table: key, operation: operation, reason: "lock \(id) has no table \(key)"))
            return
        }
        guard let op = entry.operation, op.id == operation else {
            let current = entry.operation.map { "\($0.id)" } ?? "none"
            let reason = "operation \(operation) is not the current operation of \(key) (current: \(current))"
            self.emit(.operationDoneRejected(lock: id, table: key, operation: operation, reason: reason))
            return
        }
        if entry.done { return }
        self.emit(.operationDone(lock: id, table: key, operation: operation))
        for column in op.cols where lock.droppedColumns[column]?[key] != nil {
            let stage: DropColumnStage = op.executedDrops.contains(column) ? .done : .partiallyDone
            self.emit(.droppedColumnStageChanged(lock: id, column: column, table: key, stage: stage))
        }
        for column in Set(op.cols).sorted() {
            guard let stages = self.state.locks[id]!.droppedColumns[column] else { continue }
            if !stages.values.contains(.notDone), stages.values.contains(.done) {
                self.emit(.droppedColumnCleared(lock: id, column: column))
            }
        }
        self.settle(id)
    }

    mutating func sourceTables(_ task: TaskName, _ source: SourceID, _ tables: [TableName: [TableName: TableInfo]]) {
        self.emit(.sourceTablesReported(task: task, source: source, tables: tables))
        for lock in self.state.locks(task: task) {
            let reported = tables[lock.downstream] ?? [:]
            let removed = lock.tables.keys.filter { $0.source == source && reported[$0.table] == nil }.sorted()
            let added = reported.keys.sorted().filter { lock.tables[SourceTable(source: source, table: $0)] == nil }
            guard !removed.isEmpty || !added.isEmpty else { continue }
            for key in removed { self.removeTable(lock.id, key) }
            for table in added { self.addTable(lock.id, SourceTable(source: source, table: table), reported[table]!) }
            self.settle(lock.id)
        }
    }

    // MARK: - Membership

    mutating func sourceLeftTask(_ task: TaskName, _ source: SourceID) {
        let locks = self.state.locks(task: task).filter { lock in lock.tables.keys.contains { $0.source == source } }
        guard self.state.sourceTables[task]?[source] != nil || !locks.isEmpty else { return }
        self.emit(.sourceLeftTask(task: task, source: source))
        for lock in locks {
            for key in lock.tables.keys.sorted() where key.source == source { self.removeTable(lock.id, key) }
            self.settle(lock.id)
        }
    }

    mutating func taskRemoved(_ task: TaskName) {
        let locks = self.state.locks(task: task)
        guard self.state.sourceTables[task] != nil || !locks.isEmpty else { return }
        for lock in locks { self.emit(.lockRemoved(lock: lock.id, reason: .taskRemoved)) }
        self.emit(.taskRemoved(task: task))
    }

    private mutating func addTable(_ id: LockID, _ key: SourceTable, _ schema: TableInfo) {
        var scratch = self.state.locks[id]!
        scratch.tables[key] = Optimism.LockTable(schema: schema)
        let joined = scratch.joined.flatMap { Lattice.join($0, schema) } ?? scratch.recomputedJoined()
        self.emit(.tableAdded(lock: id, table: key, schema: schema, joined: joined))
    }

    private mutating func removeTable(_ id: LockID, _ key: SourceTable) {
        var scratch = self.state.locks[id]!
        scratch.tables[key] = nil
        self.emit(.tableRemoved(lock: id, table: key, joined: scratch.recomputedJoined()))
    }

    /// After a change that did not come from the lock's own DDLs: drop an empty lock, redirect
    /// conflicts that now agree, remove a resolved lock.
    mutating func settle(_ id: LockID) {
        guard let lock = self.state.locks[id] else { return }
        if lock.tables.isEmpty {
            self.emit(.lockRemoved(lock: id, reason: .empty))
            return
        }
        if lock.hasConflicts, lock.noConflictForFinalTables() {
            var scratch = lock
            let redirected = scratch.resolveConflicts(except: nil)
            self.redirect(id, redirected, joined: scratch.joined)
        }
        if self.state.locks[id]!.isResolved {
            self.emit(.lockResolved(lock: id))
        }
    }

    /// Issues `resolved` redirect operations: these tables replay what they skipped.
    mutating func redirect(_ id: LockID, _ tables: [SourceTable: TableInfo], joined: TableInfo?) {
        var next = self.state.nextOperationID
        var redirects: [OptimismOperation] = []
        for key in tables.keys.sorted() {
            redirects.append(
                OptimismOperation(
                    lock: id, table: key, id: next, ddls: [], stage: .resolved,
                    message: "conflict resolved; re-sync the skipped events"))
            next += 1
        }
        self.emit(.conflictsResolved(lock: id, tables: tables, redirects: redirects, joined: joined))
    }
}
