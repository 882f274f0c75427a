import API
import Foundation
import MasterClient
import Schema

/// `ShardDDLClient` over the master's worker protocol, for one subtask.
struct MasterShardDDLClient: ShardDDLClient {
    let client: MasterClient
    let worker: String
    let key: SubtaskKey
    let board: OperationBoard

    func reportSourceTables(_ tables: [SourceTableSchema]) async throws(ShardDDLError) {
        var rows: [Components.Schemas.SourceTables.tablesPayloadPayload] = []
        for table in tables {
            rows.append(.init(
                up_schema: table.upSchema, up_table: table.upTable, down_schema: table.downSchema,
                down_table: table.downTable, table_info: try Self.wire(table.tableInfo)))
        }
        let body = Components.Schemas.SourceTables(task: self.key.task, source: self.key.source, tables: rows)
        do {
            _ = try await self.client.reportSourceTables(worker: self.worker, body)
        } catch {
            throw Self.wrap(error)
        }
    }

    func coordinate(
        _ info: ShardDDLInfo,
        apply: @Sendable (ShardDDLDecision) async throws -> Void
    ) async throws(ShardDDLError) -> ShardDDLDecision {
        let key = self.key
        let matches: OperationBoard.Matcher
        let appended: Components.Schemas.AppendedEvents
        do {
            switch info {
            case .pessimistic(let schema, let table, let ddls):
                // A source has at most one in-flight pessimistic DDL per task (dm-reference §2.1 step 8).
                matches = { $0.mode == .pessimistic && $0.source == key.source && ($0.task ?? key.task) == key.task }
                appended = try await self.client.reportPessimisticInfo(
                    worker: self.worker,
                    .init(task: key.task, source: key.source, schema: schema, table: table, ddls: ddls))
            case .optimistic(let o):
                matches = {
                    $0.mode == .optimistic && $0.source == key.source && ($0.task ?? key.task) == key.task
                        && ($0.table == nil || $0.table == o.upTable || $0.table == o.downTable)
                }
                appended = try await self.client.reportOptimisticInfo(
                    worker: self.worker,
                    .init(
                        task: key.task, source: key.source, up_schema: o.upSchema, up_table: o.upTable,
                        down_schema: o.downSchema, down_table: o.downTable, ddls: o.ddls,
                        table_info_before: try Self.wire(o.before), table_infos_after: try o.after.map(Self.wire),
                        strict: o.strict))
            }
        } catch let error as ShardDDLError {
            throw error
        } catch {
            throw Self.wrap(error)
        }
        // A rejected Info is recorded by the master; surface it instead of blocking forever (dm#628).
        if let rejected = appended.events.first(where: { $0.contains("Rejected") }) {
            throw ShardDDLError(code: ShardDDLError.rejectedCode, message: "master recorded \(rejected)")
        }
        guard let op = await self.board.wait(for: matches) else {
            throw ShardDDLError(code: ShardDDLError.cancelledCode, message: "cancelled while waiting for the operation")
        }
        let decision = ShardDDLDecision(
            mode: op.mode == .pessimistic ? .pessimistic : .optimistic, lockID: op.lock_id, exec: op.exec,
            ddls: op.ddls, stage: op.stage)
        do {
            try await apply(decision)
        } catch {
            throw ShardDDLError(code: ShardDDLError.applyFailedCode, message: "\(error)")
        }
        let done = Components.Schemas.OperationDone(
            mode: op.mode == .pessimistic ? .pessimistic : .optimistic, lock_id: op.lock_id, source: key.source,
            lock_serial: op.lock_serial, schema: op.schema, table: op.table, operation_id: op.operation_id)
        do {
            _ = try await self.client.operationDone(worker: self.worker, done)
        } catch {
            throw Self.wrap(error)
        }
        self.board.markCompleted(op)
        return decision
    }

    static func wrap(_ error: MasterClientError) -> ShardDDLError {
        ShardDDLError(code: error.code, message: error.description)
    }

    static func wrap(_ error: any Error) -> ShardDDLError {
        if let error = error as? MasterClientError { return wrap(error) }
        return ShardDDLError(code: "bad_request", message: "\(error)")
    }

    /// Schema.TableInfo's Codable form is the wire form (openapi `TableInfo`).
    static func wire(_ info: TableInfo) throws(ShardDDLError) -> Components.Schemas.TableInfo {
        do {
            return try JSONDecoder().decode(Components.Schemas.TableInfo.self, from: JSONEncoder().encode(info))
        } catch {
            throw ShardDDLError(code: "bad_request", message: "cannot encode table info: \(error)")
        }
    }
}
