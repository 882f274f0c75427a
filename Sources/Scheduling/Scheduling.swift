public import Domain

/// The schedule: which workers are alive, which worker serves which source, and which subtasks
/// exist at which expected stage. A pure decider (see ARCHITECTURE.md, "The decider pattern").
///
/// The rules follow DM-master's scheduler (dm-reference §1.2), re-stated as events:
///
/// - **Workers** register (offline), turn `free` on their first keepalive, and are `bound` to at
///   most one source. A keepalive older than the TTL at a `tick(now:)` expires the worker; a
///   graceful stop offlines it at once. Either way its source is unbound and offered to the
///   free workers. Only an offline worker can be removed (`offline-member`).
/// - **Binding priority.** A source prefers the free worker it was last bound to, then any free
///   worker; a freed worker prefers its last-bound source if that is unbound, then any unbound
///   source. Ties break lexicographically, so a replayed decision is the same decision. Last-bound
///   is never forgotten on unbind (DM's `last-bound-worker` key).
/// - **Epochs.** Every `bound` takes the next cluster-wide binding epoch; workers fence their
///   downstream writes with it, so the worker that lost a source cannot double-write (tiflow#3737).
/// - **Sources** can be updated or removed only while no subtask uses them.
/// - **Tasks** start only when every source exists and is bound (DM's `ErrSchedulerSourcesUnbound`):
///   a subtask on an unbound source could not start, and the operator asked to run it now. A source
///   that becomes unbound later keeps its subtasks; they resume on whichever worker binds it next.
///   Subtasks belong to (task, source), not to a worker: they follow the binding, including
///   through `transferSource`.
///
/// Not modelled (Braid has no relay log or node-local dump files): relay workers and the
/// "unfinished load task" bind priority.
public enum Scheduling: Decider {
    public typealias Failure = Scheduling.Error

    /// Keepalive TTL used when a tick does not name one. DM uses 60 s; Braid's keepalives go to
    /// the leader directly (no etcd lease), so detection can be much faster.
    public static let defaultKeepaliveTTL: Int64 = 10_000

    public static func decide(_ command: Command, _ state: State) throws(Error) -> [Event] {
        var plan = Plan(state)
        switch command {
        case .registerWorker(let name, let address): try plan.registerWorker(name, address: address)
        case .keepalive(let name, let at, let refreshAfter): try plan.keepalive(name, at: at, refreshAfter: refreshAfter)
        case .tick(let now, let ttl, let lastSeen): try plan.tick(now: now, ttl: ttl, lastSeen: lastSeen)
        case .stopWorker(let name): try plan.stopWorker(name)
        case .offlineMember(let name): try plan.offlineMember(name)
        case .addSource(let config, let worker): try plan.addSource(config, worker: worker)
        case .updateSource(let config): try plan.updateSource(config)
        case .removeSource(let source): try plan.removeSource(source)
        case .transferSource(let source, let worker): try plan.transferSource(source, to: worker)
        case .startTask(let config, let sources): try plan.startTask(config, sources: sources)
        case .pauseTask(let task, let source): try plan.setStage(task, source: source, .paused)
        case .resumeTask(let task, let source): try plan.setStage(task, source: source, .running)
        case .stopTask(let task, let source): try plan.stopTask(task, source: source)
        case .setBinlogOperation(let task, let source, let operation):
            try plan.setBinlogOperation(task, source: source, operation)
        case .removeBinlogOperation(let task, let source, let position):
            try plan.removeBinlogOperation(task, source: source, position: position)
        case .setSchemaOperation(let task, let source, let schema, let table, let createTable, let reportedPaused):
            try plan.setSchemaOperation(
                task, source: source, schema: schema, table: table, createTable: createTable, reportedPaused: reportedPaused)
        case .reportCheckpoint(let task, let source, let worker, let epoch, let position, let gtid, let at):
            try plan.reportCheckpoint(
                task: task,
                source: source,
                worker: worker,
                epoch: epoch,
                position: position,
                gtid: gtid,
                at: at
            )
        }
        return plan.events
    }
}

/// Decisions are computed on a scratch copy of the state that evolves as each event is emitted,
/// so a command that emits several events (unbind, expire, rebind) decides each step on the state
/// the previous steps produced, exactly as replay will see it.
struct Plan {
    private(set) var state: Scheduling.State
    private(set) var events: [Event] = []

    init(_ state: Scheduling.State) {
        self.state = state
        self.events.reserveCapacity(4)
    }

    mutating func emit(_ event: Event) {
        self.events.append(event)
        Scheduling.evolve(&self.state, event)
    }
}
