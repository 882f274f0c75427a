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
    /// Told why the master rejected a pessimistic Info. The call keeps waiting for its Operation, as
    /// DM's worker does: the rejection is recorded and shown, and an operator's `shard-ddl-lock
    /// unlock` (which sends this source a skip) is the way out, not a paused subtask that re-sends
    /// the same rejected Info on every resume.
    var onRejected: (@Sendable (String) async -> Void)? = nil

    func reportSourceTables(_ tables: [SourceTableSchema]) async throws(ShardDDLError) {
        var rows: [Components.Schemas.SourceTables.tablesPayloadPayload] = []
        for table in tables {
            rows.append(.init(
                up_schema: table.upSchema, up_table: table.upTable, down_schema: table.downSchema,
                down_table: table.downTable, table_info: try Self.wire(table.tableInfo)))
        }
        let body = Components.Schemas.SourceTables(task: self.key.task, source: self.key.source, tables: rows)
        do {
            _ = try await Self.retryingUnavailable { try await self.client.reportSourceTables(worker: self.worker, body) }
        } catch {
            throw Self.wrap(error)
        }
    }

    func coordinate(
        _ info: ShardDDLInfo,
        apply: @Sendable (ShardDDLDecision) async throws -> Void
    ) async throws(ShardDDLError) -> ShardDDLDecision {
        let op: OperationBoard.Operation
        switch info {
        case .pessimistic(let schema, let table, let ddls):
            let key = self.key
            try await self.report(onRejected: self.onRejected) {
                try await self.client.reportPessimisticInfo(
                    worker: self.worker, .init(task: key.task, source: key.source, schema: schema, table: table, ddls: ddls))
            }
            // A source has at most one in-flight pessimistic DDL per task (dm-reference §2.1 step 8).
            op = try await self.next(atLeast: 0) {
                $0.mode == .pessimistic && $0.source == key.source && ($0.task ?? key.task) == key.task
            }
        case .optimistic(let o):
            op = try await self.optimisticOperation(o)
        }
        let decision = ShardDDLDecision(
            mode: op.mode == .pessimistic ? .pessimistic : .optimistic, lockID: op.lock_id, exec: op.exec,
            ddls: op.ddls, stage: op.stage, operationID: op.operation_id)
        // Skipping runs nothing and reports nothing: the redirect (or an operator) ends it.
        if decision.skipsUntilRedirect { return decision }
        do {
            try await apply(decision)
        } catch {
            throw ShardDDLError(code: ShardDDLError.applyFailedCode, message: "\(error)")
        }
        let done = Components.Schemas.OperationDone(
            mode: op.mode == .pessimistic ? .pessimistic : .optimistic, lock_id: op.lock_id, source: self.key.source,
            lock_serial: op.lock_serial, schema: op.schema, table: op.table, operation_id: op.operation_id)
        do {
            _ = try await Self.retryingUnavailable { try await self.client.operationDone(worker: self.worker, done) }
        } catch {
            throw Self.wrap(error)
        }
        self.board.markCompleted(op)
        return decision
    }

    /// Reports `o` and waits for the operation this table can act on (dm-reference §2.2, worker side 5–6).
    ///
    /// An optimistic operation addresses the source's **upstream** table (`schema`/`table` = `o.upSchema`/
    /// `o.upTable`), so only those match. `detected` waits for a newer operation (the DDL stays blocked
    /// until the shards agree or an operator unlocks it); `skip and wait for redirect` is returned at
    /// once (the table skips its events until ``redirect(upSchema:upTable:after:)``); `resolved` is a
    /// redirect, never the answer to a report, so it is passed over; `error` (and any stuck stage in
    /// strict mode) fails the call, which pauses the subtask.
    private func optimisticOperation(_ o: OptimisticDDLInfo) async throws(ShardDDLError) -> OperationBoard.Operation {
        let key = self.key
        let body = try Components.Schemas.OptimisticInfo(
            task: key.task, source: key.source, up_schema: o.upSchema, up_table: o.upTable,
            down_schema: o.downSchema, down_table: o.downTable, ddls: o.ddls,
            table_info_before: Self.wire(o.before), table_infos_after: o.after.map(Self.wire), strict: o.strict)
        let reported = try await self.report { try await self.client.reportOptimisticInfo(worker: self.worker, body) }
        var seen: Int64 = o.replayAfter ?? -1
        while true {
            let newer = seen
            let op = try await self.next(atLeast: reported) {
                $0.mode == .optimistic && $0.source == key.source && ($0.task ?? key.task) == key.task
                    && $0.schema == o.upSchema && $0.table == o.upTable && ($0.operation_id ?? -1) > newer
            }
            seen = op.operation_id ?? seen
            let stage = op.stage.flatMap(ConflictStageName.init(rawValue:)) ?? .none
            switch stage {
            case .none, .unlocked:
                return op
            case .skipAndWaitForRedirect:
                if o.strict { throw Self.conflict(op) }
                return op
            case .resolved, .detected:
                if o.strict && stage == .detected { throw Self.conflict(op) }
                continue
            case .error:
                throw Self.conflict(op)
            }
        }
    }

    /// A `resolved` redirect is answered by re-reporting the Info, after the redirect; an operator's
    /// `unlocked` operation is itself the answer, so the replay waits for what follows the skip.
    func redirect(upSchema: String, upTable: String, after operationID: Int64?) async -> Int64? {
        let key = self.key
        let after = operationID ?? -1
        let ends: Set<String> = [ConflictStageName.resolved.rawValue, ConflictStageName.unlocked.rawValue]
        let op = self.board.current {
            $0.mode == .optimistic && $0.source == key.source && ($0.task ?? key.task) == key.task
                && $0.schema == upSchema && $0.table == upTable && ends.contains($0.stage ?? "")
                && ($0.operation_id ?? -1) > after
        }
        guard let op else { return nil }
        return op.stage == ConflictStageName.resolved.rawValue ? op.operation_id ?? after : after
    }

    /// The optimistic stages as the wire spells them (`Domain.ConflictStage`'s raw values).
    private enum ConflictStageName: String {
        case none, detected, resolved, unlocked, error
        case skipAndWaitForRedirect = "skip and wait for redirect"
    }

    /// Worded so that what DM users search `query-status` for ("because schema conflict detected")
    /// is there, followed by the master's reason.
    private static func conflict(_ op: OperationBoard.Operation) -> ShardDDLError {
        ShardDDLError(
            code: ShardDDLError.conflictCode,
            message: "cannot handle the shard DDL of `\(op.schema ?? "")`.`\(op.table ?? "")` in optimistic mode, because schema conflict detected (lock \(op.lock_id), stage \(op.stage ?? "")), conflict error: \(op.message ?? ""); skip or replace the DDL with `braid ctl binlog skip|replace`, or release it with `shard-ddl-lock unlock`")
    }

    /// Sends a report; a rejected Info is recorded by the master, so surface it instead of blocking forever (dm#628).
    /// - Returns: the log sequence of the last event the report appended (0 when it appended none):
    ///   only a view at or after it holds the answer to this report.
    @discardableResult
    private func report(
        onRejected: (@Sendable (String) async -> Void)? = nil,
        _ send: () async throws -> Components.Schemas.AppendedEvents
    ) async throws(ShardDDLError) -> Int64 {
        let appended: Components.Schemas.AppendedEvents
        do {
            appended = try await Self.retryingUnavailable(send)
        } catch {
            throw Self.wrap(error)
        }
        if let rejected = appended.events.first(where: { $0.contains("Rejected") }) {
            let message = "rejected: master recorded \(rejected)"
            guard let onRejected else { throw ShardDDLError(code: ShardDDLError.rejectedCode, message: message) }
            await onRejected(message)
        }
        // A report answered by a new operation: only a view that has it answers (an older one may
        // still list this table's previous answer, e.g. the error of the DDL an operator replaced).
        // A report whose answer stands appends no operation, and the view it is in never changes.
        guard appended.first_sequence > 0, appended.events.contains("optimism.operationIssued") else { return 0 }
        return appended.first_sequence + Int64(appended.events.count) - 1
    }

    private func next(
        atLeast: Int64, _ matches: @escaping OperationBoard.Matcher
    ) async throws(ShardDDLError) -> OperationBoard.Operation {
        guard let op = await self.board.wait(for: matches, atLeast: atLeast) else {
            throw ShardDDLError(code: ShardDDLError.cancelledCode, message: "cancelled while waiting for the operation")
        }
        return op
    }

    /// Retries `call` while no master can take it (`unavailable`: unreachable, or a leader change
    /// under way), for up to `patience`. An HA failover takes about the election TTL, and a shard-DDL
    /// report or done must ride through it rather than pause the subtask. Reports are idempotent at
    /// the master: a retried one that had landed is answered as already known.
    static func retryingUnavailable<T>(
        patience: Duration = .seconds(60), _ call: () async throws -> T
    ) async throws -> T {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                return try await call()
            } catch let error as MasterClientError
                where error.code == MasterClientError.unavailableCode && ContinuousClock.now < deadline && !Task.isCancelled
            {
                try await Task.sleep(for: backoff.next())
            }
        }
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
