import API
import Domain
import Optimism
import Pessimism

/// Shard-DDL locks of both modes: list and unlock.
extension MasterAPI {
    public func listLocks(_ input: Operations.listLocks.Input) async throws -> Operations.listLocks.Output {
        let state = await self.state
        let task = input.query.task.flatMap { $0.isEmpty ? nil : TaskName($0) }
        let pessimistic = state.pessimism.lockSummaries(task: task).map(LockViews.pessimistic)
        let optimistic = state.optimism.locks(task: task).map(LockViews.optimistic)
        return .ok(.init(body: .json((pessimistic + optimistic).sorted { $0.id < $1.id })))
    }

    /// Pessimistic: `owner` / `force_remove`. Optimistic: `force_remove`, or `source`+`schema`+`table`
    /// with `action` for one stuck table. The lock's mode is found from its id.
    public func unlockLock(_ input: Operations.unlockLock.Input) async throws -> Operations.unlockLock.Output {
        await self.answer("unlockLock", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let request) = input.body else { throw .badRequest("expected JSON") }
            let id = LockID(rawValue: request.lock_id)
            let state = await self.state
            let command: ClusterCommandBox
            if state.pessimism.lock(id) != nil {
                let owner = request.owner.flatMap { $0.isEmpty ? nil : SourceID($0) }
                command = .init(.pessimism(.unlock(id, owner: owner, forceRemove: request.force_remove ?? false)))
            } else if state.optimism.locks[id] != nil {
                if request.force_remove == true {
                    command = .init(.optimism(.forceRemove(lock: id)))
                } else {
                    guard let source = request.source, !source.isEmpty else { throw .badRequest("required for an optimistic unlock", field: "source") }
                    guard let schema = request.schema, !schema.isEmpty else { throw .badRequest("required for an optimistic unlock", field: "schema") }
                    guard let table = request.table, !table.isEmpty else { throw .badRequest("required for an optimistic unlock", field: "table") }
                    let action: UnlockAction = request.action == .exec ? .exec : .skip
                    let key = SourceTable(source: SourceID(source), table: TableName(schema: schema, table: table))
                    command = .init(.optimism(.unlock(lock: id, table: key, action: action)))
                }
            } else {
                throw .notFound("lock with ID \(id) not found")
            }
            let result = try await self.submit(command.command)
            self.logger.info("lock unlocked", metadata: ["lock": "\(id)", "events": "\(result.events.count)"])
            return .ok(.init(body: .json(self.appended(result))))
        }
    }
}

import Projections

/// Holds a command chosen across branches (keeps the branches above readable).
struct ClusterCommandBox {
    var command: ClusterCommand
    init(_ command: ClusterCommand) { self.command = command }
}

/// `Lock` schemas from either decider's state.
enum LockViews {
    static func pessimistic(_ lock: Pessimism.LockSummary) -> Components.Schemas.Lock {
        let synced = Set(lock.synced)
        let sources = (lock.synced + lock.unsynced).sorted()
        let tables = sources.map { source in
            Components.Schemas.LockTable(
                source: source.rawValue, schema: lock.downstream.schema, table: lock.downstream.table,
                synced: synced.contains(source),
                operation: lock.operations.first { $0.source == source }.map { self.operation($0, downstream: lock.downstream) })
        }
        return Components.Schemas.Lock(
            id: lock.id.rawValue, task: lock.task.rawValue, mode: .pessimistic, owner: lock.owner.rawValue, ddls: lock.ddls,
            synced: lock.synced.map(\.rawValue), unsynced: lock.unsynced.map(\.rawValue), tables: tables,
            rejected: lock.rejected.map { $0.reason.message(for: $0.info) })
    }

    /// `schema`/`table` name the lock's downstream table (see `Operation` in openapi.yaml).
    static func operation(_ op: PessimismOperation, downstream: TableName) -> Components.Schemas.Operation {
        Components.Schemas.Operation(
            mode: .pessimistic, lock_id: op.lock.rawValue, lock_serial: Int64(op.lockSerial), task: op.task.rawValue,
            source: op.source.rawValue, schema: downstream.schema, table: downstream.table, ddls: op.ddls, exec: op.exec,
            done: op.done)
    }

    static func optimistic(_ lock: Optimism.Lock) -> Components.Schemas.Lock {
        let unsynced = Set(lock.unsyncedTables)
        let keys = lock.tables.keys.sorted()
        let tables = keys.map { key in
            let entry = lock.tables[key]!
            return Components.Schemas.LockTable(
                source: key.source.rawValue, schema: key.table.schema, table: key.table.table,
                synced: !unsynced.contains(key), stage: entry.operation?.stage.rawValue,
                operation: entry.operation.map { self.operation($0, task: lock.task, done: entry.done) })
        }
        var ddls: [String] = []
        for key in keys { for ddl in lock.tables[key]!.operation?.ddls ?? [] where !ddls.contains(ddl) { ddls.append(ddl) } }
        let owner = lock.blockDDLOwner
        return Components.Schemas.Lock(
            id: lock.id.rawValue, task: lock.task.rawValue, mode: .optimistic, ddls: ddls,
            synced: keys.filter { !unsynced.contains($0) }.map(\.description), unsynced: keys.filter(unsynced.contains).map(\.description),
            tables: tables, blocking_ddl_owner: owner.isEmpty ? nil : owner)
    }

    static func operation(_ op: OptimismOperation, task: TaskName, done: Bool) -> Components.Schemas.Operation {
        Components.Schemas.Operation(
            mode: .optimistic, lock_id: op.lock.rawValue, operation_id: Int64(op.id), task: task.rawValue,
            source: op.table.source.rawValue, schema: op.table.table.schema, table: op.table.table.table, ddls: op.ddls,
            exec: !op.ddls.isEmpty, stage: op.stage.rawValue, message: op.message.isEmpty ? nil : op.message, done: done)
    }
}
