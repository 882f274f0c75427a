import Foundation
import Domain
import Logging
import MySQLClient
import Schema

/// One subtask's binlog replication: reads upstream transactions, routes and filters them, tracks
/// schemas, coordinates shard DDLs, and applies rows downstream exactly once.
///
/// Exactly once: every writer commits its rows and its checkpoint points in one downstream
/// transaction (see ``CheckpointPoints``), so a restart, a crash or a rewind re-reads the binlog
/// and skips precisely what is already downstream. Owned by one task; not shared.
public final class Syncer {
    let config: SyncerConfiguration
    let router: Router
    let checkpoint: CheckpointTable
    let syncer: SyncerConfig
    var logger: Logger { self.config.logger }

    var tracker = SchemaTracker()
    /// Per table: the end of the last DDL the tracker applied (a re-read DDL is not applied twice).
    var trackedThrough: [TableName: BinlogPosition] = [:]
    /// Points as sent to writers; equal to the committed ones whenever the writers are drained.
    var points: CheckpointPoints
    /// What the downstream has, as of the last (re)open: the skip rule for re-read events.
    var applied: CheckpointPoints
    /// Points as last persisted by a barrier (to write only what changed).
    var persisted: CheckpointPoints
    var groups = ShardingGroups()
    var causality: Causality
    var pending: [WriterPool.Unit?]
    var pendingRows = 0
    var position: BinlogPosition
    var gtid: String?
    var processedRows: Int64 = 0
    var lastBarrier = ContinuousClock.now
    var blockingLock: String?
    /// Tables re-reading their held events after a shard DDL resolved, until the position where it
    /// resolved: a barrier must not move their points past events it has not re-read yet.
    var resyncUntil: [TableName: BinlogPosition] = [:]
    /// Optimistic tables skipping their events until the master redirects them.
    var redirects: [TableName: SkippedDDL] = [:]
    /// Redirected tables re-reading their events up to the skipped DDL, which they report again.
    var replays: [TableName: SkippedDDL] = [:]
    var lastRedirectPoll = ContinuousClock.now
    /// Rows the full copy loaded (task-mode all/full).
    var loadedRows: Int64 = 0
    /// After a resumed full copy: safe mode until the last snapshot's position.
    var safeModeUntil: BinlogPosition?
    /// Whether the pending round holds changes from the safe-mode window.
    var roundNeedsSafeMode = false

    /// The router's verdict per upstream table: rules are fixed for the subtask's life, and rows
    /// events ask for every table of every transaction.
    var routes: [TableName: TableName?] = [:]

    var writers: WriterPool?
    var control: MySQLConnection?
    /// The round committing in the background (see `startRound()`): its error, if it failed.
    var inflight: Task<ReplicationError?, Never>?

    /// Where the time went (benchmarks and logs): reading + framing the binlog, waiting for rounds
    /// to commit, persisting barriers.
    public struct Timings: Sendable, Hashable {
        public var read: Duration = .zero
        public var commit: Duration = .zero
        public var barrier: Duration = .zero
        public var prepare: Duration = .zero
        public var rounds = 0
        public var barriers = 0
    }
    public private(set) var timings = Timings()

    public init(_ config: SyncerConfiguration) throws(ReplicationError) {
        self.config = config
        do {
            self.router = try Router(task: config.task, source: config.source.sourceID)
        } catch {
            throw ReplicationError(.configuration, "task \(config.task.name): \(error)")
        }
        self.syncer = config.task.syncer(for: config.source.sourceID)
        let writerCount = max(1, self.syncer.workerCount)
        self.checkpoint = CheckpointTable(
            metaSchema: config.task.metaSchema, task: "\(config.task.name)", source: "\(config.source.sourceID)",
            epoch: config.epoch)
        self.points = CheckpointPoints(writerCount: writerCount)
        self.applied = self.points
        self.persisted = self.points
        self.causality = Causality(writerCount: writerCount)
        self.pending = Array(repeating: nil, count: writerCount)
        self.position = BinlogPosition(file: "", pos: BinlogPosition.minimumPos)
    }

    var isSharding: Bool { self.config.task.shardMode != nil }

    /// Runs until cancelled (or the stream ends, for finite readers). Throws what pauses the subtask.
    public func run() async throws(ReplicationError) {
        defer { self.closeConnections() }
        let prepareStart = ContinuousClock.now
        let start = try await self.prepare()
        self.timings.prepare = ContinuousClock.now - prepareStart
        if self.config.task.taskMode == .full {
            await self.config.reporter.progress(SyncProgress(unit: "Load", processedRows: self.loadedRows))
            return
        }
        var stream = try await self.config.reader.open(at: start.position, gtid: start.gtid)
        self.applied = self.points
        await self.config.reporter.progress(SyncProgress(unit: "Sync", processedRows: self.processedRows))
        do {
            while !Task.isCancelled {
                await self.config.waitIfPaused()
                // Caught up with the upstream: commit what is pending now rather than when the round
                // is full, the upstream goes idle or the barrier comes (under a steady write rate that
                // was up to a second of lag). While it commits, the next events queue up, so rounds
                // still grow with the rate; a backlog keeps the reader ahead and rounds full.
                if self.pendingRows > 0, stream.isCaughtUp { try await self.flush() }
                let readStart = ContinuousClock.now
                let next = try await stream.next()
                self.timings.read += ContinuousClock.now - readStart
                guard let event = next else {
                    try await self.barrier()
                    break
                }
                switch event {
                case .transaction(let transaction):
                    try await self.handle(transaction)
                case .ddl(let ddl):
                    if let rewind = try await self.handle(ddl) {
                        stream = try await self.reopen(stream, at: rewind, from: ddl.end)
                    }
                case .idle:
                    try await self.flush()
                }
                if self.pendingRows >= self.roundRows { try await self.startRound() }
                if ContinuousClock.now - self.lastBarrier >= self.config.barrierInterval { try await self.barrier() }
                if !self.redirects.isEmpty, let rewind = try await self.takeRedirects() {
                    stream = try await self.reopen(stream, at: rewind, from: self.position)
                }
            }
        } catch {
            let roundFailure = await self.inflight?.value ?? nil
            self.inflight = nil
            if roundFailure == nil, error.code == .schemaMismatch || error.code == .unknownTable {
                // A row the tracked schema cannot decode stops the subtask before anything of its
                // transaction was placed: checkpoint everything before it (as DM does), so that after
                // `binlog-schema update` the subtask resumes at that transaction rather than re-reading
                // earlier rows with the operator's schema. Best effort: a failed barrier writes nothing.
                try? await self.barrier()
            }
            await stream.close()
            throw error
        }
        try await self.drain()
        await stream.close()
    }

    /// Re-reads from `position`: the checkpoint points skip whatever is already downstream.
    private func reopen(
        _ stream: any UpstreamEventStream, at position: BinlogPosition, from current: BinlogPosition
    ) async throws(ReplicationError) -> any UpstreamEventStream {
        await stream.close()
        self.logger.info("sync.rewind", metadata: ["from": "\(current)", "to": "\(position)", "task": "\(self.config.task.name)"])
        let reopened = try await self.config.reader.open(at: position, gtid: nil)
        self.applied = self.points
        self.position = position
        return reopened
    }

    /// Skipping tables the master has redirected: they re-read from their skipped DDL. Polled at most
    /// every 50 ms; returns where to rewind to.
    private func takeRedirects() async throws(ReplicationError) -> BinlogPosition? {
        guard ContinuousClock.now - self.lastRedirectPoll >= .milliseconds(50) else { return nil }
        self.lastRedirectPoll = ContinuousClock.now
        var redirected: [TableName: SkippedDDL] = [:]
        for (table, skipped) in self.redirects {
            if let id = await self.config.coordinator.redirect(of: table, after: skipped.operationID) {
                var replay = skipped
                replay.operationID = id
                redirected[table] = replay
            }
        }
        guard !redirected.isEmpty else { return nil }
        // Everything else moves to here first; the redirected tables' points stay before their DDL.
        try await self.barrier()
        for (table, replay) in redirected {
            self.redirects[table] = nil
            self.replays[table] = replay
            self.resyncUntil[table] = max(self.resyncUntil[table] ?? self.position, self.position)
            self.logger.info("sync.shard.redirected", metadata: ["table": "\(table)", "replay_from": "\(replay.start)"])
        }
        return redirected.values.map(\.start).min()
    }

    /// Whether `table`'s events wait: for its pessimistic group, or for an optimistic redirect.
    func isHeld(_ table: TableName) -> Bool {
        self.groups.isHeld(table) || self.redirects[table] != nil
    }

    /// The most rows a round holds. A round is committed as soon as the reader has caught up (see
    /// `run`), so this only bounds rounds while catching up with a backlog, where fewer, bigger
    /// commits are what makes apply fast: `batch` × `worker-count` (DM's transaction size) grown up
    /// to tenfold, to at most 20,000 rows unless the configuration asks for more.
    var roundRows: Int {
        let configured = max(1, self.syncer.batch) * self.points.writerCount
        return max(configured, min(10 * configured, 20_000))
    }

    private func closeConnections() {
        let writers = self.writers
        let control = self.control
        self.writers = nil
        self.control = nil
        // Connections close on their own queues; nothing waits on them.
        Task.detached {
            await writers?.close()
            await control?.close()
        }
    }

    // MARK: - Rows

    func handle(_ transaction: UpstreamTransaction) async throws(ReplicationError) {
        var staged: [(table: TableName, change: RowChange)] = []
        for rows in transaction.rows {
            let table = rows.table
            guard let target = self.routedTarget(table), !self.isHeld(table) else { continue }
            let kind: EventKind = switch rows.kind {
            case .insert: .insert
            case .update: .update
            case .delete: .delete
            }
            if try self.filtered(kind, on: table, schema: table.schema, at: transaction.start) { continue }
            if self.applied.isDDLApplied(table, end: transaction.end) { continue }  // every slot has it
            guard let shape = self.tracker.shape(table) else {
                throw ReplicationError(
                    .unknownTable, "rows for \(table), whose schema is not tracked", position: transaction.start)
            }
            guard rows.columnCount == shape.columnNames.count else {
                throw ReplicationError(
                    .schemaMismatch,
                    "\(table): the binlog has \(rows.columnCount) columns but the tracked schema has \(shape.columnNames.count) (\(shape.columnNames.joined(separator: ",")))",
                    position: transaction.start)
            }
            let images = try rows.decode(shape.unsigned)
            switch rows.kind {
            case .insert:
                for image in images { staged.append((table, RowChange.insert(image, into: target, shape: shape))) }
            case .delete:
                for image in images { staged.append((table, RowChange.delete(image, from: target, shape: shape))) }
            case .update:
                var index = 0
                while index + 1 < images.count {
                    staged.append((table, RowChange.update(images[index], images[index + 1], in: target, shape: shape)))
                    index += 2
                }
            }
        }
        try await self.place(staged, of: transaction)
        self.position = transaction.end
        if let gtid = transaction.gtid { self.gtid = gtid }
    }

    /// Puts one transaction's changes on writers, never split across two rounds: a writer's point
    /// says its share of the *whole* transaction is downstream, so committing part of it in one round
    /// and the rest in the next would let a crash in between lose the rest. A transaction that
    /// conflicts with the round so far starts a new round; one that conflicts with itself (a key
    /// moved between writers, two unique keys) runs whole on one writer in a round of its own, its
    /// points covering every slot.
    private func place(_ staged: [(table: TableName, change: RowChange)], of transaction: UpstreamTransaction) async throws(ReplicationError) {
        guard !staged.isEmpty else { return }
        if let writers = self.assignWriters(staged) {
            self.append(staged, writers, transaction)
            return
        }
        try await self.flush()
        if let writers = self.assignWriters(staged) {
            self.append(staged, writers, transaction)
            return
        }
        self.causality.reset()
        let writer = Causality.home(of: staged[0].change, writerCount: self.points.writerCount)
        self.append(staged, Array(repeating: writer, count: staged.count), transaction, alone: true)
        try await self.flush()
    }

    /// Each change's writer, or `nil` if one conflicts (what was placed before it stays owned until the next flush).
    private func assignWriters(_ staged: [(table: TableName, change: RowChange)]) -> [Int]? {
        var writers: [Int] = []
        writers.reserveCapacity(staged.count)
        for item in staged {
            guard case .writer(let writer) = self.causality.place(item.change) else { return nil }
            writers.append(writer)
        }
        return writers
    }

    private func append(
        _ staged: [(table: TableName, change: RowChange)], _ writers: [Int], _ transaction: UpstreamTransaction,
        alone: Bool = false
    ) {
        for (item, writer) in zip(staged, writers) {
            // What is downstream is judged by the slot the change hashes to: the same after a restart
            // whichever way the transaction was placed.
            let slot = alone ? Causality.home(of: item.change, writerCount: self.points.writerCount) : writer
            if self.applied.isApplied(item.table, writer: slot, at: transaction.end) { continue }
            // In place: copying the unit out and back would copy its whole change list per row
            // (quadratic in the round size).
            if self.pending[writer] == nil { self.pending[writer] = WriterPool.Unit(changes: [], points: [:]) }
            self.pending[writer]!.changes.append(item.change)
            self.pending[writer]!.points[item.table] = transaction.end
            if alone {
                self.pending[writer]!.allSlots = true
                for other in 0..<self.points.writerCount { self.points.advance(item.table, writer: other, to: transaction.end) }
            } else {
                self.points.advance(item.table, writer: writer, to: transaction.end)
            }
            self.pendingRows += 1
            self.processedRows += 1
            if let until = self.safeModeUntil, transaction.end <= until { self.roundNeedsSafeMode = true }
        }
    }

    /// Where `table`'s rows go, or `nil` if the block-allow list drops it; cached per table.
    func routedTarget(_ table: TableName) -> TableName? {
        if let known = self.routes[table] { return known }
        let target = self.router.allows(table) ? self.router.route(table) : nil
        self.routes[table] = target
        return target
    }

    /// Commits every writer's pending share (one round) and waits until every writer has drained:
    /// after it, the points sent to writers are the committed ones.
    func flush() async throws(ReplicationError) {
        try await self.startRound()
        try await self.drain()
    }

    /// Starts committing the pending round in the background once the previous round has committed
    /// on every writer, so reading and routing the next round overlaps this round's commit.
    ///
    /// Rounds stay strictly sequential on the downstream (round N+1 starts committing only after
    /// round N committed everywhere), which is all `Causality` needs; each writer still commits its
    /// rows with its points in one transaction. A failed round surfaces at the next `drain()`, and the
    /// engine then stops: everything after the failure is only in memory, and a restart resumes from
    /// the downstream checkpoints.
    func startRound() async throws(ReplicationError) {
        defer { self.causality.reset() }
        guard self.pendingRows > 0 || self.pending.contains(where: { $0 != nil }) else { return }
        try await self.drain()
        let units = self.pending
        let safe = self.syncer.safeMode || self.roundNeedsSafeMode
        self.pending = Array(repeating: nil, count: self.points.writerCount)
        self.pendingRows = 0
        self.roundNeedsSafeMode = false
        guard let writers = self.writers else { return }
        self.timings.rounds += 1
        self.inflight = Task {
            do throws(ReplicationError) {
                try await writers.commit(units, safeMode: safe)
                return nil
            } catch {
                return error
            }
        }
    }

    /// Waits for the round in flight, if any; throws its error.
    func drain() async throws(ReplicationError) {
        guard let inflight = self.inflight else { return }
        let began = ContinuousClock.now
        let failure = await inflight.value
        self.inflight = nil
        self.timings.commit += ContinuousClock.now - began
        if let failure { throw failure }
    }

    /// Drains the writers, moves every table that is not held to the current position, and persists
    /// what changed with the global row.
    func barrier(tableInfos: [TableName] = [], dropped: [TableName] = []) async throws(ReplicationError) {
        try await self.flush()
        let held = self.groups.heldTables.union(self.redirects.keys)
        if !self.position.file.isEmpty {
            for table in self.tracker.tableNames where !held.contains(table) && self.router.allows(table) {
                if let until = self.resyncUntil[table] {
                    if self.position < until { continue }
                    self.resyncUntil[table] = nil
                }
                self.points.setAll(table, to: max(self.position, self.points.points[table]?.compactMap { $0 }.max() ?? self.position))
            }
        }
        let began = ContinuousClock.now
        try await self.persist(tableInfos: tableInfos, dropped: dropped)
        self.timings.barrier += ContinuousClock.now - began
        self.timings.barriers += 1
        self.lastBarrier = ContinuousClock.now
        await self.config.reporter.checkpoint(binlogName: self.position.file, binlogPos: self.position.pos, gtid: self.gtid)
        await self.config.reporter.progress(
            SyncProgress(unit: "Sync", processedRows: self.processedRows, blockingLock: self.blockingLock))
    }

    func persist(tableInfos: [TableName], dropped: [TableName]) async throws(ReplicationError) {
        var changed: [(table: TableName, slot: Int, position: BinlogPosition)] = []
        for (table, slots) in self.points.points {
            let before = self.persisted.points[table]
            for (slot, point) in slots.enumerated() {
                guard let point, before?[slot] != point else { continue }
                changed.append((table, slot, point))
            }
        }
        var statements: [String] = []
        if let upsert = self.checkpoint.pointsStatement(changed) { statements.append(upsert) }
        for table in tableInfos {
            if let info = self.tracker.info(table) {
                statements.append(self.checkpoint.tableInfoStatement(table, info, at: self.trackedThrough[table] ?? self.position))
            }
        }
        for table in dropped { statements.append(self.checkpoint.dropTableStatement(table)) }
        let resume = self.points.earliest ?? self.position
        statements.append(self.checkpoint.globalStatement(resume: resume, gtid: self.gtid))
        try await self.runControl(statements)
        self.persisted = self.points
    }

    /// Runs statements in one fenced transaction on the control connection.
    func runControl(_ statements: [String]) async throws(ReplicationError) {
        guard let control = self.control else { return }
        try await self.checkpoint.runFenced(
            on: control, exclusive: true, statements, what: "checkpoint \(self.checkpoint.name)")
    }
}
