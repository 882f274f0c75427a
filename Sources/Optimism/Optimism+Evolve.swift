public import Domain
import Schema

extension Optimism {
    /// Applies one event. Events of other categories are ignored.
    public static func evolve(_ state: inout State, _ event: Event) {
        guard case .optimism(let event) = event else { return }
        state.apply(event)
    }
}

extension Optimism.State {
    /// Applies an optimism event: only bookkeeping, every outcome is in the event.
    mutating func apply(_ event: OptimismEvent) {
        switch event {
        case .sourceTablesReported(let task, let source, let tables):
            self.sourceTables[task, default: [:]][source] = tables
        case .sourceLeftTask(let task, let source):
            self.sourceTables[task]?[source] = nil
            if self.sourceTables[task]?.isEmpty == true { self.sourceTables[task] = nil }
        case .taskRemoved(let task):
            self.sourceTables[task] = nil
            self.locks = self.locks.filter { $0.value.task != task }
        case .infoReported(let info):
            self.locks[info.lockID]?.tables[info.sourceTable]?.lastInfo = info
        case .infoRejected, .operationDoneRejected, .operatorUnlocked:
            break
        case .lockCreated(let id, let task, let downstream, let tables, let joined):
            self.locks[id] = Optimism.Lock(id: id, task: task, downstream: downstream, tables: tables, joined: joined)
        case .tableAdded(let id, let table, let schema, let joined):
            self.locks[id]?.tables[table] = Optimism.LockTable(schema: schema)
            self.locks[id]?.joined = joined
        case .tableRemoved(let id, let table, let joined):
            guard var lock = self.locks.removeValue(forKey: id) else { return }
            lock.tables[table] = nil
            lock.joined = joined
            for column in lock.droppedColumns.keys {
                lock.droppedColumns[column]![table] = nil
                if lock.droppedColumns[column]!.isEmpty { lock.droppedColumns[column] = nil }
            }
            self.locks[id] = lock
        case .operationIssued(let op, let update):
            self.nextOperationID = Swift.max(self.nextOperationID, op.id + 1)
            self.locks[op.lock]?.apply(op, update)
        case .conflictsResolved(let id, let tables, let redirects, let joined):
            guard var lock = self.locks.removeValue(forKey: id) else { return }
            for (table, schema) in tables {
                lock.tables[table]?.schema = schema
                lock.tables[table]?.conflict = nil
            }
            for op in redirects {
                lock.issue(op)
                self.nextOperationID = Swift.max(self.nextOperationID, op.id + 1)
            }
            lock.joined = joined
            self.locks[id] = lock
        case .operationDone(let id, let table, let operation):
            self.locks[id]?.tables[table]?.markDone(operation)
        case .droppedColumnStageChanged(let id, let column, let table, let stage):
            self.locks[id]?.droppedColumns[column, default: [:]][table] = stage
        case .droppedColumnCleared(let id, let column):
            self.locks[id]?.droppedColumns[column] = nil
        case .lockResolved(let id):
            if let lock = self.locks.removeValue(forKey: id) { self.writeBack(lock) }
        case .lockRemoved(let id, let reason):
            guard let lock = self.locks.removeValue(forKey: id) else { return }
            switch reason {
            case .forced, .empty: self.writeBack(lock)
            case .taskRemoved: break
            }
        }
    }

    /// A lock going away hands its tables' schemas back to the registry: they are what the next
    /// lock of this downstream table starts from.
    private mutating func writeBack(_ lock: Optimism.Lock) {
        // Taken out and put back so that the nested writes below happen in place.
        var task = self.sourceTables.removeValue(forKey: lock.task) ?? [:]
        for (key, entry) in lock.tables {
            task[key.source, default: [:]][lock.downstream, default: [:]][key.table] = entry.schema
        }
        self.sourceTables[lock.task] = task
    }
}

extension Optimism.Lock {
    /// Records `op` as the table's current, not yet done, operation.
    mutating func issue(_ op: OptimismOperation) {
        self.tables[op.table]?.operation = op
        self.tables[op.table]?.done = false
    }

    mutating func apply(_ op: OptimismOperation, _ update: OptimismTableUpdate) {
        guard self.tables[op.table] != nil else { return }
        self.tables[op.table]!.apply(op, update)
        self.joined = update.joined
        for column in op.cols where self.droppedColumns[column]?[op.table] == nil {
            self.droppedColumns[column, default: [:]][op.table] = .notDone
        }
    }
}
