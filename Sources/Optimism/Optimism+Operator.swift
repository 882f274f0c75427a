import Domain
import Schema

extension Emitter {
    /// `shard-ddl-lock unlock`: releases one stuck table in any stuck stage, including "skip and
    /// wait for redirect" (DM refuses that one, tiflow#12840). `exec` runs the table's DDLs
    /// downstream and takes their schema; `skip` runs nothing and keeps the schema before them.
    /// Either way the table no longer has to match the join for the lock to resolve.
    mutating func unlock(_ id: LockID, _ key: SourceTable, _ action: UnlockAction) throws(Optimism.Error) {
        guard let lock = self.state.locks[id] else { throw Optimism.Error(.lockNotFound, "no optimistic lock \(id)") }
        guard let entry = lock.tables[key] else { throw Optimism.Error(.tableNotInLock, "lock \(id) has no table \(key)") }
        guard entry.isStuck else {
            let stage = entry.done ? "done" : entry.operation.map { $0.stage.rawValue } ?? "no operation"
            throw Optimism.Error(.tableNotStuck, "table \(key) of lock \(id) is not stuck (\(stage))")
        }
        self.emit(.operatorUnlocked(lock: id, table: key, action: action))
        var scratch = lock
        let schema: TableInfo
        let ddls: [String]
        switch action {
        case .exec:
            schema = entry.lastInfo?.tableInfosAfter.last ?? entry.final
            ddls = entry.lastInfo?.ddls ?? []
        case .skip:
            schema = entry.schema
            ddls = []
        }
        scratch.tables[key]!.conflict = nil
        scratch.setSchema(key, schema, grew: false)
        let op = OptimismOperation(
            lock: id, table: key, id: self.state.nextOperationID, ddls: ddls, stage: .unlocked,
            message: "unlocked by operator (\(action == .exec ? "exec" : "skip"))")
        self.emit(.operationIssued(op, OptimismTableUpdate(schema: schema, conflict: nil, unlocked: true, joined: scratch.joined)))
        self.settle(id)
    }

    /// `shard-ddl-lock unlock --force-remove`: every stuck table is released with nothing to
    /// execute, then the lock is dropped; its tables' schemas go back to the registry.
    mutating func forceRemove(_ id: LockID) throws(Optimism.Error) {
        guard let lock = self.state.locks[id] else { throw Optimism.Error(.lockNotFound, "no optimistic lock \(id)") }
        var scratch = lock
        for key in lock.stuckTables {
            scratch.tables[key]!.conflict = nil
        }
        let joined = scratch.recomputedJoined()
        var next = self.state.nextOperationID
        for key in lock.stuckTables {
            let op = OptimismOperation(
                lock: id, table: key, id: next, ddls: [], stage: .unlocked, message: "lock force-removed by operator")
            next += 1
            let update = OptimismTableUpdate(schema: lock.tables[key]!.schema, conflict: nil, unlocked: true, joined: joined)
            self.emit(.operationIssued(op, update))
        }
        self.emit(.lockRemoved(lock: id, reason: .forced))
    }
}
