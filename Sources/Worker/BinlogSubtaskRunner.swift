import Domain
import Logging
import Replication
import Schema

/// The data plane: runs each subtask's `Syncer` (binlog → route → shard coordination → downstream).
///
/// A failing subtask is paused with its error reported; `resume-task` retries it from its checkpoint,
/// which is safe because apply is exactly once. Lost connections retry on their own with backoff.
public final class BinlogSubtaskRunner: SubtaskRunner {
    private let host = SubtaskHost()
    private let logger: Logger
    private let makeReader: @Sendable (SubtaskContext) -> any UpstreamReader

    public init(
        logger: Logger = Logger(label: "braid.worker.binlog"),
        reader: (@Sendable (SubtaskContext) -> any UpstreamReader)? = nil
    ) {
        self.logger = logger
        self.makeReader = reader ?? { context in
            BinlogUpstreamReader(
                connection: SyncerConfiguration.options(context.source.from, downstream: false),
                serverID: context.source.serverID ?? Self.serverID(for: context.key))
        }
    }

    /// A replica server id stable per subtask and unlikely to clash with real servers.
    static func serverID(for key: SubtaskKey) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in "\(key.task)/\(key.source)".utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return 1_000_000 + hash % 1_000_000_000
    }

    public func start(_ subtask: SubtaskContext) async throws(SubtaskRunnerError) {
        try self.host.start(subtask.key, paused: subtask.startsPaused) { control in
            await self.supervise(subtask, control)
        }
    }

    public func pause(_ key: SubtaskKey) async { self.host.pause(key) }
    public func resume(_ key: SubtaskKey) async { self.host.resume(key) }
    public func stop(_ key: SubtaskKey) async { await self.host.stop(key) }
    public func run() async { await self.host.run() }

    private func supervise(_ subtask: SubtaskContext, _ control: SubtaskHost.Control) async {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
        while !Task.isCancelled {
            await control.waitIfPaused()
            if Task.isCancelled { return }
            // "Sync" only once the Syncer has fixed its start position (it reports that itself).
            await subtask.reporter.status(stage: .running, unit: "Prepare", error: nil, processedRows: nil)
            do throws(ReplicationError) {
                let syncer = try Syncer(self.configuration(subtask, control))
                try await syncer.run()
                if Task.isCancelled { return }
                await subtask.reporter.status(stage: .finished, unit: "Sync", error: nil, processedRows: nil)
                return
            } catch {
                if Task.isCancelled { return }
                self.logger.error("runner.binlog.error", metadata: ["subtask": "\(subtask.key)", "error": "\(error)"])
                switch error.code {
                case _ where error.isTransient:
                    // Connections come back; apply is exactly once, so retrying from the checkpoint is safe.
                    await subtask.reporter.status(stage: .running, unit: "Sync", error: "\(error)", processedRows: nil)
                    try? await Task.sleep(for: backoff.next())
                case .fenced:
                    await subtask.reporter.status(stage: .stopped, unit: "Sync", error: "\(error)", processedRows: nil)
                    return
                default:
                    await subtask.reporter.failed(stage: .paused, unit: "Sync", error: "\(error)", position: error.position)
                    self.host.pause(subtask.key)
                    backoff.reset()
                }
            }
        }
    }

    private func configuration(_ subtask: SubtaskContext, _ control: SubtaskHost.Control) -> SyncerConfiguration {
        SyncerConfiguration(
            task: subtask.task, source: subtask.source, epoch: subtask.bindingEpoch,
            upstream: SyncerConfiguration.options(subtask.source.from, downstream: false),
            downstream: SyncerConfiguration.options(subtask.task.targetDatabase, downstream: true),
            reader: self.makeReader(subtask), coordinator: ShardDDLClientCoordinator(client: subtask.shardDDL),
            reporter: ReporterBridge(reporter: subtask.reporter),
            waitIfPaused: { await control.waitIfPaused() }, binlogOperation: subtask.binlogOperation,
            schemaOperations: subtask.schemaOperations(), logger: self.logger)
    }
}

/// The engine's coordinator over the worker's master client.
struct ShardDDLClientCoordinator: ShardDDLCoordinator {
    let client: any ShardDDLClient

    func reportSourceTables(_ tables: [(upstream: TableName, target: TableName, info: TableInfo)]) async throws(ReplicationError) {
        do {
            try await self.client.reportSourceTables(
                tables.map {
                    SourceTableSchema(
                        upSchema: $0.upstream.schema, upTable: $0.upstream.table, downSchema: $0.target.schema,
                        downTable: $0.target.table, tableInfo: $0.info)
                })
        } catch {
            throw ReplicationError(.shardDDL, "reporting source tables: \(error)")
        }
    }

    func coordinate(
        _ request: ShardDDLRequest, apply: @Sendable (ShardDDLVerdict) async throws(ReplicationError) -> Void
    ) async throws(ReplicationError) -> ShardDDLVerdict {
        let info: ShardDDLInfo
        switch request {
        case .pessimistic(let target, let ddls):
            info = .pessimistic(schema: target.schema, table: target.table, ddls: ddls)
        case .optimistic(let upstream, let target, let ddls, let before, let after, let strict, let replayAfter):
            info = .optimistic(
                OptimisticDDLInfo(
                    upSchema: upstream.schema, upTable: upstream.table, downSchema: target.schema, downTable: target.table,
                    ddls: ddls, before: before, after: after, strict: strict, replayAfter: replayAfter))
        }
        do {
            let decision = try await self.client.coordinate(info) { decision in
                try await apply(Self.verdict(decision))
            }
            return Self.verdict(decision)
        } catch {
            throw ReplicationError(.shardDDL, "\(error)")
        }
    }

    func redirect(of upstream: TableName, after operationID: Int64?) async -> Int64? {
        await self.client.redirect(upSchema: upstream.schema, upTable: upstream.table, after: operationID)
    }

    static func verdict(_ decision: ShardDDLDecision) -> ShardDDLVerdict {
        ShardDDLVerdict(
            lockID: decision.lockID, exec: decision.exec, ddls: decision.ddls, conflictStage: decision.stage,
            operationID: decision.operationID)
    }
}

struct ReporterBridge: SyncProgressReporter {
    let reporter: any SubtaskReporter

    func checkpoint(binlogName: String, binlogPos: UInt32, gtid: String?) async {
        try? await self.reporter.checkpoint(binlogName: binlogName, binlogPos: binlogPos, gtid: gtid)
    }

    func progress(_ progress: SyncProgress) async {
        await self.reporter.progress(
            unit: progress.unit, processedRows: progress.processedRows, totalRows: progress.totalRows,
            rowsPerSecond: progress.rowsPerSecond)
    }
}
