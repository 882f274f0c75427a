import API
import Domain
import Foundation
import Optimism
import Leader
import Projections
import Schema

/// The worker protocol: register, keepalive, stop, watch, and the reports a worker sends.
/// Reports about a source are accepted only from the worker bound to it (else 409), so a worker
/// that lost its source cannot move a lock or a checkpoint.
extension MasterAPI {
    var ttlMilliseconds: Int64 { self.configuration.keepaliveTTL.milliseconds }

    public func registerWorker(_ input: Operations.registerWorker.Input) async throws -> Operations.registerWorker.Output {
        await self.answer("registerWorker", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body else { throw .badRequest("expected JSON") }
            guard !body.name.isEmpty else { throw .badRequest("must not be empty", field: "name") }
            guard !body.address.isEmpty else { throw .badRequest("must not be empty", field: "address") }
            let name = WorkerName(body.name)
            try await self.submit(.scheduling(.registerWorker(name, address: body.address)))
            // Registration counts as the first keepalive: the worker is free (and offered a source) at once.
            try await self.recordKeepalive(name)
            self.logger.info("worker registered", metadata: ["worker": "\(name)", "address": "\(body.address)"])
            return .ok(.init(body: .json(self.registration(name))))
        }
    }

    public func keepalive(_ input: Operations.keepalive.Input) async throws -> Operations.keepalive.Output {
        await self.answer("keepalive", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = WorkerName(input.path.worker_hyphen_name)
            try await self.recordKeepalive(name)
            return .ok(.init(body: .json(self.registration(name))))
        }
    }

    /// Remembers the keepalive in memory and lets the decider log it if it changes liveness or the
    /// logged one is TTL/2 old (see `LivenessBoard`).
    func recordKeepalive(_ name: WorkerName) async throws(APIFailure) {
        let now = self.clock.now()
        // Seen before the decision, so a tick between the two cannot miss this keepalive.
        self.liveness.saw(name, at: now)
        do {
            try await self.submit(.scheduling(.keepalive(name, at: now, refreshAfter: self.ttlMilliseconds / 2)))
        } catch {
            if error.status == 404 { self.liveness.forget(name) }
            throw error
        }
    }

    public func stopWorker(_ input: Operations.stopWorker.Input) async throws -> Operations.stopWorker.Output {
        await self.answer("stopWorker", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = WorkerName(input.path.worker_hyphen_name)
            try await self.submit(.scheduling(.stopWorker(name)))
            self.logger.info("worker stopped", metadata: ["worker": "\(name)"])
            return .noContent(.init())
        }
    }

    /// Long poll: answers at once if an event after `after` can concern this worker's view (or `after` is
    /// 0 or older than the leader's recent-commit memory), otherwise when a change touches this worker's
    /// view, or at `timeout_ms` (default 30 s). Appends whose events cannot concern this worker do not
    /// even wake it (`WatchRelevance`).
    public func watch(_ input: Operations.watch.Input) async throws -> Operations.watch.Output {
        await self.answer("watch", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = WorkerName(input.path.worker_hyphen_name)
            let after = UInt64(max(0, input.query.after ?? 0))
            let cap = Int(self.configuration.maxWatchTimeout.components.seconds * 1_000)
            let timeout = min(max(0, input.query.timeout_ms ?? 30_000), 60_000, cap)
            let builder = WorkerViewBuilder(memo: self.views)
            var state = await self.state
            guard state.scheduling.workers[name] != nil else { throw .notFound("worker \(name) is not registered") }
            let first = builder.view(worker: name, state: state, term: self.host.term)
            let host = self.host
            // At once when something since `after` concerns this worker (or is too old to tell); events
            // that cannot change its view (other workers' Infos and dones) do not turn the long poll into
            // a busy loop of identical answers.
            let source = state.scheduling.boundSource(of: name)
            let sinceAfter: EngineHost.ChangeFilter = { WatchRelevance.concerns($0, worker: name, source: source) }
            var answerNow = timeout == 0 || (after < state.lastSequence && after == 0)
            if !answerNow, after < state.lastSequence {
                answerNow = await host.hasChange(after: after, concerning: sinceAfter)
            }
            if answerNow { return .ok(.init(body: .json(first))) }
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeout))
            while ContinuousClock.now < deadline {
                let seen = state.lastSequence
                // Only events that can change this worker's view wake the watch (`WatchRelevance`).
                let source = state.scheduling.boundSource(of: name)
                let concerns: EngineHost.ChangeFilter = { WatchRelevance.concerns($0, worker: name, source: source) }
                let changed = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await host.waitForChange(after: seen, concerning: concerns); return !Task.isCancelled }
                    group.addTask { try? await Task.sleep(until: deadline); return false }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
                guard changed else { break }
                state = await self.state
                var view = builder.view(worker: name, state: state, term: self.host.term)
                view.sequence = first.sequence
                // Other workers' keepalives move the log too; only a change to this view answers early.
                if view != first {
                    view.sequence = Int64(state.lastSequence)
                    return .ok(.init(body: .json(view)))
                }
            }
            // Timed out: answer with the current state (unrelated appends moved the log without waking us).
            state = await self.state
            var view = builder.view(worker: name, state: state, term: self.host.term)
            view.sequence = Int64(state.lastSequence)
            return .ok(.init(body: .json(view)))
        }
    }

    public func reportPessimisticInfo(_ input: Operations.reportPessimisticInfo.Input) async throws -> Operations.reportPessimisticInfo.Output {
        await self.answer("reportPessimisticInfo", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body else { throw .badRequest("expected JSON") }
            guard !body.ddls.isEmpty else { throw .badRequest("must not be empty", field: "ddls") }
            let source = SourceID(body.source)
            try await self.requireBinding(worker: input.path.worker_hyphen_name, source: source)
            let info = PessimismInfo(
                task: TaskName(body.task), source: source, downstream: TableName(schema: body.schema, table: body.table), ddls: body.ddls)
            return .ok(.init(body: .json(self.appended(try await self.submit(.reportPessimismInfo(info))))))
        }
    }

    public func reportSourceTables(_ input: Operations.reportSourceTables.Input) async throws -> Operations.reportSourceTables.Output {
        await self.answer("reportSourceTables", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body else { throw .badRequest("expected JSON") }
            let source = SourceID(body.source)
            try await self.requireBinding(worker: input.path.worker_hyphen_name, source: source)
            var tables: [TableName: [TableName: TableInfo]] = [:]
            for (i, t) in body.tables.enumerated() {
                let info = try Self.tableInfo(t.table_info, field: "tables[\(i)].table_info")
                tables[TableName(schema: t.down_schema, table: t.down_table), default: [:]][TableName(schema: t.up_schema, table: t.up_table)] = info
            }
            let command = ClusterCommand.optimism(.sourceTables(task: TaskName(body.task), source: source, tables: tables))
            return .ok(.init(body: .json(self.appended(try await self.submit(command)))))
        }
    }

    public func reportOptimisticInfo(_ input: Operations.reportOptimisticInfo.Input) async throws -> Operations.reportOptimisticInfo.Output {
        await self.answer("reportOptimisticInfo", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body else { throw .badRequest("expected JSON") }
            let source = SourceID(body.source)
            try await self.requireBinding(worker: input.path.worker_hyphen_name, source: source)
            let task = TaskName(body.task)
            let before = try Self.tableInfo(body.table_info_before, field: "table_info_before")
            var after: [TableInfo] = []
            for (i, t) in body.table_infos_after.enumerated() { after.append(try Self.tableInfo(t, field: "table_infos_after[\(i)]")) }
            guard after.count == body.ddls.count else {
                throw .badRequest("needs one schema per DDL (\(body.ddls.count)), got \(after.count)", field: "table_infos_after")
            }
            let info = OptimismInfo(
                task: task, source: source, upstream: TableName(schema: body.up_schema, table: body.up_table),
                downstream: TableName(schema: body.down_schema, table: body.down_table), ddls: body.ddls,
                tableInfoBefore: before, tableInfosAfter: after)
            let taskStrict = await self.state.scheduling.tasks[task]?.config.strictOptimisticShardMode ?? false
            let strict = body.strict ?? taskStrict
            return .ok(.init(body: .json(self.appended(try await self.submit(.optimism(.reportInfo(info, strict: strict)))))))
        }
    }

    public func operationDone(_ input: Operations.operationDone.Input) async throws -> Operations.operationDone.Output {
        await self.answer("operationDone", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body else { throw .badRequest("expected JSON") }
            let source = SourceID(body.source)
            try await self.requireBinding(worker: input.path.worker_hyphen_name, source: source)
            let lock = LockID(rawValue: body.lock_id)
            let command: ClusterCommand
            switch body.mode {
            case .pessimistic:
                command = .pessimism(.operationDone(lock: lock, source: source, lockSerial: body.lock_serial.map { UInt64(max(0, $0)) }))
            case .optimistic:
                guard let schema = body.schema, let table = body.table else {
                    throw .badRequest("schema and table are required for an optimistic done", field: body.schema == nil ? "schema" : "table")
                }
                guard let id = body.operation_id, id >= 0 else { throw .badRequest("required for an optimistic done", field: "operation_id") }
                command = .optimism(.operationDone(
                    lock: lock, table: SourceTable(source: source, table: TableName(schema: schema, table: table)), operation: UInt64(id)))
            }
            return .ok(.init(body: .json(self.appended(try await self.submit(command)))))
        }
    }

    /// Fenced by the binding epoch in the decider: a report under an older epoch is a 409.
    public func reportCheckpoint(_ input: Operations.reportCheckpoint.Input) async throws -> Operations.reportCheckpoint.Output {
        await self.answer("reportCheckpoint", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body else { throw .badRequest("expected JSON") }
            guard let pos = UInt32(exactly: body.binlog_pos) else { throw .badRequest("out of range", field: "binlog_pos") }
            guard body.binding_epoch >= 0 else { throw .badRequest("must not be negative", field: "binding_epoch") }
            let source = SourceID(body.source)
            let flavor = await self.state.scheduling.sources[source]?.flavor ?? .mysql
            var gtid: GTIDSet?
            if let text = body.gtid, !text.isEmpty {
                do { gtid = try GTIDSet.parse(text, flavor: flavor) } catch { throw .badRequest("\(error)", field: "gtid") }
            }
            let command = ClusterCommand.scheduling(.reportCheckpoint(
                task: TaskName(body.task), source: source, worker: WorkerName(input.path.worker_hyphen_name),
                epoch: UInt64(body.binding_epoch), position: BinlogPosition(file: body.binlog_name, pos: pos), gtid: gtid,
                at: self.clock.now()))
            return .ok(.init(body: .json(self.appended(try await self.submit(command)))))
        }
    }

    /// Kept in master memory (`SubtaskStatusBoard`) and shown in task and source status.
    public func reportSubtaskStatus(_ input: Operations.reportSubtaskStatus.Input) async throws -> Operations.reportSubtaskStatus.Output {
        await self.answer("reportSubtaskStatus", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            guard case .json(let body) = input.body else { throw .badRequest("expected JSON") }
            try await self.requireBinding(worker: input.path.worker_hyphen_name, source: SourceID(body.source))
            self.statuses.record(body)
            return .noContent(.init())
        }
    }

    // MARK: - Helpers

    func registration(_ name: WorkerName) -> Components.Schemas.Registration {
        .init(name: name.rawValue, term: Int64(self.host.term), keepalive_ttl_ms: self.ttlMilliseconds)
    }

    /// 404 for an unknown worker; 409 when `source` is not bound to it.
    func requireBinding(worker: String, source: SourceID) async throws(APIFailure) {
        let s = await self.state.scheduling
        let name = WorkerName(worker)
        guard s.workers[name] != nil else { throw .notFound("worker \(name) is not registered") }
        guard s.boundWorker(of: source) == name else {
            throw .conflict("staleBinding: worker \(name) does not hold source \(source)")
        }
    }

    /// `Schema.TableInfo` from its JSON (Codable) form; 400 naming the field when it does not decode.
    static func tableInfo(_ value: Components.Schemas.TableInfo, field: String) throws(APIFailure) -> TableInfo {
        do {
            let data = try JSONEncoder().encode(value.additionalProperties)
            return try JSONDecoder().decode(TableInfo.self, from: data)
        } catch {
            throw .badRequest("not a TableInfo: \(error)", field: field)
        }
    }
}
