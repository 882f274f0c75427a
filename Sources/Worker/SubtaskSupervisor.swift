import API
import Domain
import Logging
import MasterClient
import Yams

/// Drives the runner so that what runs matches the master's view: the binding (source config and
/// epoch) and each subtask's expected stage (Running, Paused, or absent = stopped).
///
/// The view is level-triggered (the whole desired state every time), so applying the same view
/// twice is a no-op and a missed watch costs nothing. An actor because the watch applies views
/// while the session loop fences; they never overlap, but the state must stay consistent.
actor SubtaskSupervisor {
    private struct Active {
        var expected: String
        var yaml: String
        /// The view's resume count when last acted on.
        var resumes: Int64 = 0
    }

    private let runner: any SubtaskRunner
    private let client: MasterClient
    private let worker: String
    private let board: OperationBoard
    private let ledger: StatusLedger
    private let statusBoard: WorkerStatusBoard
    private let secretKey: SecretKey?
    private let logger: Logger
    private var epoch: Int64?
    private var active: [SubtaskKey: Active] = [:]
    private let binlogOperations = BinlogOperationBook()
    private let schemaOperations = SchemaOperationBook()

    init(
        runner: any SubtaskRunner, client: MasterClient, worker: String, board: OperationBoard,
        ledger: StatusLedger, statusBoard: WorkerStatusBoard, secretKey: SecretKey?, logger: Logger
    ) {
        self.statusBoard = statusBoard
        self.runner = runner
        self.client = client
        self.worker = worker
        self.board = board
        self.ledger = ledger
        self.secretKey = secretKey
        self.logger = logger
    }

    var running: [SubtaskKey] { self.active.keys.sorted() }

    func apply(_ view: Components.Schemas.WorkerView) async {
        guard let wireSource = view.source, let epoch = view.binding_epoch else {
            if !self.active.isEmpty || self.epoch != nil { await self.stopAll(reason: "unbound") }
            self.statusBoard.retain([])
            self.binlogOperations.retain([])
            self.schemaOperations.retain([])
            return
        }
        self.statusBoard.bound(source: wireSource.source_id, epoch: epoch)
        if self.epoch != epoch {
            if !self.active.isEmpty { await self.stopAll(reason: "binding epoch \(self.epoch ?? -1) -> \(epoch)") }
            self.logger.info("worker.bound", metadata: ["source": "\(wireSource.source_id)", "epoch": "\(epoch)"])
            self.epoch = epoch
        }
        let source = self.sourceConfig(wireSource, password: view.source_password)
        var desired: [SubtaskKey: Components.Schemas.WorkerView.subtasksPayloadPayload] = [:]
        for subtask in view.subtasks where subtask.source == wireSource.source_id {
            desired[SubtaskKey(task: subtask.task, source: subtask.source)] = subtask
        }
        self.statusBoard.retain(Set(desired.keys))
        // Operations first: a subtask resumed below must already see them when it re-reads its event.
        self.binlogOperations.retain(Set(desired.keys))
        var newOperations: Set<SubtaskKey> = []
        for (key, subtask) in desired {
            let operations = BinlogOperationBook.operations(subtask.binlog_operations) { problem in
                self.logger.error("worker.subtask.binlog_operation", metadata: ["subtask": "\(key)", "error": "\(problem)"])
            }
            if self.binlogOperations.set(key, operations) { newOperations.insert(key) }
        }
        self.schemaOperations.retain(Set(desired.keys))
        var newSchemaOperations: Set<SubtaskKey> = []
        for (key, subtask) in desired where self.schemaOperations.set(key, Self.schemaOperations(subtask.schema_operations)) {
            newSchemaOperations.insert(key)
        }
        for key in self.active.keys.sorted() where desired[key]?.task_yaml != self.active[key]?.yaml {
            await self.stop(key, reason: desired[key] == nil ? "removed" : "config changed")
        }
        // A new `binlog-schema update|delete` for a subtask `pause-task` suspended restarts it (paused): its
        // Syncer applies operations only when it is created. One its error paused has no Syncer; the next
        // is created at `resume-task` and reads the book then.
        for key in newSchemaOperations.sorted() where self.active[key]?.expected == "Paused" {
            await self.stop(key, reason: "binlog-schema operations changed")
        }
        for key in desired.keys.sorted() {
            guard let subtask = desired[key] else { continue }
            let expected = subtask.expected_stage.rawValue
            if let current = self.active[key] {
                let resumes = subtask.resumes ?? 0
                if resumes > current.resumes {
                    self.active[key]?.resumes = resumes
                    // `resume-task` on a subtask expected Running: what its own error paused runs again.
                    if current.expected == expected, expected == "Running" {
                        self.logger.info("worker.subtask.resume_requested", metadata: ["subtask": "\(key)"])
                        await self.runner.resume(key)
                        continue
                    }
                }
                guard current.expected != expected else { continue }
                self.active[key]?.expected = expected
                self.statusBoard.expect(key, expected)
                let reporter = self.reporter(key, epoch: epoch)
                if expected == "Paused" {
                    await self.runner.pause(key)
                    await reporter.status(stage: .paused, unit: nil, error: nil, processedRows: nil)
                } else {
                    await self.runner.resume(key)
                    await reporter.status(stage: .running, unit: nil, error: nil, processedRows: nil)
                }
            } else {
                await self.start(key, yaml: subtask.task_yaml, expected: expected, source: source, epoch: epoch)
                self.active[key]?.resumes = subtask.resumes ?? 0
            }
        }
        // Like DM's handle-error: a new `binlog skip|replace` resumes a running subtask that its error
        // paused, so it re-reads the failed event under the operation (a no-op if it is not paused).
        for key in newOperations.sorted() where self.active[key]?.expected == "Running" {
            self.logger.info("worker.subtask.binlog_operation_resume", metadata: ["subtask": "\(key)"])
            await self.runner.resume(key)
        }
    }

    /// Stops every runner (fencing, unbinding, shutdown). Returns once none can write.
    func stopAll(reason: String) async {
        for key in self.active.keys.sorted() { await self.stop(key, reason: reason) }
        self.epoch = nil
        self.statusBoard.bound(source: nil, epoch: nil)
    }

    /// The view's schema operations in id order.
    static func schemaOperations(_ wire: [Components.Schemas.SchemaOperation]?) -> [SchemaOperation] {
        (wire ?? []).compactMap { op in
            UInt64(exactly: op.id).map { SchemaOperation(id: $0, schema: op.schema, table: op.table, createTable: op.create_table) }
        }.sorted { $0.id < $1.id }
    }

    private func start(_ key: SubtaskKey, yaml: String, expected: String, source: SourceConfig, epoch: Int64) async {
        let reporter = self.reporter(key, epoch: epoch)
        self.statusBoard.expect(key, expected)
        var task: TaskConfig
        do {
            task = try Self.decodeTask(yaml)
        } catch {
            self.logger.error("worker.subtask.bad_config", metadata: ["subtask": "\(key)", "error": "\(error)"])
            await reporter.status(stage: .paused, unit: nil, error: "invalid task config: \(error)", processedRows: nil)
            return
        }
        task.targetDatabase.password = self.openPassword(task.targetDatabase.password)
        let context = SubtaskContext(
            key: key, taskYAML: yaml, task: task, source: source, bindingEpoch: epoch,
            shardDDL: MasterShardDDLClient(
                client: self.client, worker: self.worker, key: key, board: self.board,
                onRejected: { message in
                    await reporter.status(stage: .running, unit: "Sync", error: message, processedRows: nil)
                }),
            reporter: reporter, binlogOperation: self.binlogOperations.lookup(key),
            schemaOperations: self.schemaOperations.lookup(key), startsPaused: expected == "Paused")
        do {
            try await self.runner.start(context)
        } catch {
            self.logger.error("worker.subtask.start_failed", metadata: ["subtask": "\(key)", "error": "\(error)"])
            await reporter.status(stage: .paused, unit: nil, error: error.message, processedRows: nil)
            return
        }
        self.active[key] = Active(expected: expected, yaml: yaml)
        self.logger.info("worker.subtask.started", metadata: ["subtask": "\(key)", "epoch": "\(epoch)"])
        if expected == "Paused" {
            await self.runner.pause(key)
            await reporter.status(stage: .paused, unit: nil, error: nil, processedRows: nil)
        } else {
            await reporter.status(stage: .running, unit: nil, error: nil, processedRows: nil)
        }
    }

    private func stop(_ key: SubtaskKey, reason: String) async {
        guard self.active.removeValue(forKey: key) != nil else { return }
        await self.runner.stop(key)
        self.ledger.forget(key)
        self.statusBoard.removed(key)
        self.logger.info("worker.subtask.stopped", metadata: ["subtask": "\(key)", "reason": "\(reason)"])
    }

    private func reporter(_ key: SubtaskKey, epoch: Int64) -> MasterSubtaskReporter {
        MasterSubtaskReporter(
            client: self.client, worker: self.worker, key: key, bindingEpoch: epoch, ledger: self.ledger,
            statusBoard: self.statusBoard, logger: self.logger)
    }

    private func sourceConfig(_ wire: Components.Schemas.SourceConfig, password: String?) -> SourceConfig {
        let clear = self.openPassword(password ?? "")
        return SourceConfig(
            sourceID: SourceID(wire.source_id),
            enableGTID: wire.enable_gtid ?? false,
            flavor: wire.flavor.flatMap { DatabaseFlavor(rawValue: $0.rawValue) },
            serverID: wire.server_id.flatMap { UInt32(exactly: $0) },
            from: DatabaseConfig(
                host: wire.from.host, port: UInt16(clamping: wire.from.port), user: wire.from.user, password: clear))
    }

    /// `task_yaml` is `TaskConfig`'s Codable form as YAML (openapi.yaml); DM's task.yaml is accepted too.
    static func decodeTask(_ yaml: String) throws -> TaskConfig {
        do {
            return try YAMLDecoder().decode(TaskConfig.self, from: yaml)
        } catch {
            if let dm = try? TaskConfig.load(yaml: yaml).config { return dm }
            throw error
        }
    }

    /// Opens a password the master sealed with its `--secret-key-file` (plain ones pass through).
    private func openPassword(_ password: String) -> String {
        var clear = password
        if let key = self.secretKey {
            if let opened = key.open(clear) {
                clear = opened
            } else {
                self.logger.error("worker.source.password_sealed", metadata: ["hint": "--secret-key-file differs from the master's"])
            }
        } else if clear.hasPrefix(SecretKey.prefix) {
            self.logger.error("worker.source.password_sealed", metadata: ["hint": "the master seals passwords; pass --secret-key-file"])
        }
        return clear
    }
}
