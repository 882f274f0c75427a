public import Domain

extension Scheduling {
    /// A request to the scheduler: an operator call, a worker report or the leader's timer.
    public enum Command: Sendable, Hashable {
        /// A worker joined (`RegisterWorker`). Same name and address again is a no-op; the same
        /// name with another address is refused.
        case registerWorker(WorkerName, address: String)
        /// A worker's keepalive, stamped with the leader's clock (Unix ms).
        ///
        /// Recorded (a `worker.keepalive` event) when it brings the worker online, or when the recorded
        /// keepalive is at least `refreshAfter` ms older than `at`; otherwise it decides nothing. The
        /// leader passes TTL/2 and remembers every keepalive it receives in memory (`tick`'s `lastSeen`),
        /// so the log holds liveness changes plus a coarse last-seen instead of one event per keepalive.
        /// `0` records every keepalive.
        case keepalive(WorkerName, at: Int64, refreshAfter: Int64 = 0)
        /// The leader's timer: workers whose last keepalive is more than `ttl` ms before `now` expire.
        /// A worker's last keepalive is the newer of the recorded one and `lastSeen[worker]`, the
        /// leader's in-memory record of keepalives it did not log. The decision is an event, so a
        /// replay never needs `lastSeen`.
        case tick(now: Int64, ttl: Int64 = Scheduling.defaultKeepaliveTTL, lastSeen: [WorkerName: Int64] = [:])
        /// A worker announced a graceful shutdown: offline at once, its source is rebound.
        case stopWorker(WorkerName)
        /// `offline-member --worker`: forget an offline worker.
        case offlineMember(WorkerName)
        /// `operate-source create`, optionally onto a named free worker (`-w`).
        case addSource(SourceConfig, worker: WorkerName? = nil)
        /// Replace a source's config; refused while a subtask uses the source.
        case updateSource(SourceConfig)
        /// `operate-source stop`; refused while a subtask uses the source.
        case removeSource(SourceID)
        /// `transfer-source`: move a source (and so its subtasks) to a free worker.
        case transferSource(SourceID, to: WorkerName)
        /// `start-task`, over all of the config's sources or the given subset (`-s`). With `-s`, a task
        /// that exists gets subtasks on those sources (same config, none of them running it yet).
        case startTask(TaskConfig, sources: Set<SourceID>? = nil)
        /// `pause-task`, of every subtask or of one source's.
        case pauseTask(TaskName, source: SourceID? = nil)
        /// `resume-task`, of every subtask or of one source's.
        case resumeTask(TaskName, source: SourceID? = nil)
        /// `stop-task`, of the whole task or of one source's subtask.
        case stopTask(TaskName, source: SourceID? = nil)
        /// `binlog skip|replace`: subtask (task, `source`) applies `operation` at its position. Setting
        /// the same operation again is a no-op; another one at the same position replaces it.
        case setBinlogOperation(TaskName, source: SourceID, BinlogOperation)
        /// `binlog revert`: removes the subtask's operation at `position`, or all of them when `nil`.
        case removeBinlogOperation(TaskName, source: SourceID, position: BinlogPosition?)
        /// `binlog-schema update|delete`: subtask (task, `source`) tracks upstream table `schema`.`table`
        /// as `createTable` (`nil`: re-read it upstream) from its next start on. Only while the subtask is
        /// paused, as DM requires: expected Paused (`pause-task`), or paused by its own error as its worker
        /// last reported (`reportedPaused`, the leader's in-memory status carried as data, like `tick`'s
        /// `lastSeen`). Either way it takes effect at `resume-task`.
        case setSchemaOperation(
            TaskName, source: SourceID, schema: String, table: String, createTable: String?, reportedPaused: Bool = false)
        /// A worker's checkpoint report for subtask (`task`, `source`), made under binding `epoch`.
        /// Accepted only from the source's current worker at the current epoch, so a worker that
        /// lost the source cannot move its progress (the control-plane half of tiflow#3737 fencing).
        case reportCheckpoint(
            task: TaskName,
            source: SourceID,
            worker: WorkerName,
            epoch: UInt64,
            position: BinlogPosition,
            gtid: GTIDSet?,
            at: Int64
        )
    }
}
