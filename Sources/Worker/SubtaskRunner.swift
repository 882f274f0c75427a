public import Domain

/// Identifies a subtask: one task's work on one source.
public struct SubtaskKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var task: String
    public var source: String

    public init(task: String, source: String) {
        self.task = task
        self.source = source
    }

    public static func < (a: Self, b: Self) -> Bool { (a.task, a.source) < (b.task, b.source) }
    public var description: String { "\(self.task)@\(self.source)" }
}

/// Everything a runner needs to run one subtask under the current binding.
///
/// The binding epoch travels with the subtask so the data plane can fence its downstream writes
/// with it (the checkpoint row carries the epoch; a newer one aborts the apply, tiflow#3737).
public struct SubtaskContext: Sendable {
    public var key: SubtaskKey
    public var taskYAML: String
    public var task: TaskConfig
    public var source: SourceConfig
    public var bindingEpoch: Int64
    public var shardDDL: any ShardDDLClient
    public var reporter: any SubtaskReporter
    /// The operator's current binlog operation (`binlog skip|replace`) at an event's start
    /// position, read afresh at each DDL event: operations may arrive while the subtask runs.
    public var binlogOperation: @Sendable (BinlogPosition) -> BinlogOperation?
    /// The subtask's current `binlog-schema update|delete` operations, in id order, read afresh each
    /// time the sync engine starts (it applies those its checkpoint has not recorded).
    public var schemaOperations: @Sendable () -> [SchemaOperation]
    /// The subtask is expected Paused: a runner must not let it run before `resume` (the control half
    /// still calls `pause` after `start`, for runners that ignore this).
    public var startsPaused: Bool

    public init(
        key: SubtaskKey, taskYAML: String, task: TaskConfig, source: SourceConfig, bindingEpoch: Int64,
        shardDDL: any ShardDDLClient, reporter: any SubtaskReporter,
        binlogOperation: @escaping @Sendable (BinlogPosition) -> BinlogOperation? = { _ in nil },
        schemaOperations: @escaping @Sendable () -> [SchemaOperation] = { [] }, startsPaused: Bool = false
    ) {
        self.schemaOperations = schemaOperations
        self.startsPaused = startsPaused
        self.key = key
        self.taskYAML = taskYAML
        self.task = task
        self.source = source
        self.bindingEpoch = bindingEpoch
        self.shardDDL = shardDDL
        self.reporter = reporter
        self.binlogOperation = binlogOperation
    }
}

/// A failure to start a subtask; the worker reports it as the subtask's error status.
public struct SubtaskRunnerError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}

/// The data plane of a worker, as the control half drives it.
///
/// The control half (`WorkerService`) follows the master's expected stages and calls these verbs;
/// the binlog pipeline of the next issue implements the same protocol. Long-running work belongs
/// in `run()`, which the worker runs for its whole life inside its task tree, so implementations
/// never need an unstructured `Task {}`; `SubtaskHost` is a ready-made home for per-subtask work.
public protocol SubtaskRunner: Sendable {
    /// Starts the subtask (from its checkpoint). Called once per binding epoch.
    func start(_ subtask: SubtaskContext) async throws(SubtaskRunnerError)
    /// Stops reading and writing until `resume`; keeps position.
    func pause(_ key: SubtaskKey) async
    func resume(_ key: SubtaskKey) async
    /// Stops the subtask. Returns only once it can no longer write downstream (fencing relies on it).
    func stop(_ key: SubtaskKey) async
    /// Hosts the runner's long-running work until cancelled.
    func run() async
}

/// How a runner tells the master about a subtask's progress.
public protocol SubtaskReporter: Sendable {
    /// Reports a checkpoint, stamped by the worker with the subtask's binding epoch.
    func checkpoint(binlogName: String, binlogPos: UInt32, gtid: String?) async throws(ShardDDLError)
    /// Reports status; the worker sends it only when it differs from the last one sent.
    func status(stage: SubtaskStage, unit: String?, error: String?, processedRows: Int64?) async
    /// Reports an error caused by the binlog event starting at `position`, where an operator's
    /// `binlog skip|replace` applies (query-status shows it as `error_binlog_pos`).
    func failed(stage: SubtaskStage, unit: String, error: String, position: BinlogPosition?) async
    /// Reports a running subtask's progress: rows so far and, during a full copy, the total and rate.
    func progress(unit: String, processedRows: Int64, totalRows: Int64?, rowsPerSecond: Double?) async
}

extension SubtaskReporter {
    public func failed(stage: SubtaskStage, unit: String, error: String, position: BinlogPosition?) async {
        await self.status(stage: stage, unit: unit, error: error, processedRows: nil)
    }

    public func progress(unit: String, processedRows: Int64, totalRows: Int64?, rowsPerSecond: Double?) async {
        await self.status(stage: .running, unit: unit, error: nil, processedRows: processedRows)
    }
}

/// The runtime stage of a subtask, as DM reports it (`pb.Stage`).
public enum SubtaskStage: String, Sendable, Hashable {
    case new = "New"
    case running = "Running"
    case paused = "Paused"
    case stopped = "Stopped"
    case finished = "Finished"
}
