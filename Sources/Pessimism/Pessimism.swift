public import Domain

/// Pessimistic shard-DDL coordination on the leader: DM's two-level barrier, level 2.
///
/// Every source merging into one downstream table reports the DDL it is blocked at (an Info).
/// The first Info creates a lock and makes its source the owner; when every source of the task
/// has reported the same DDLs the owner is told to execute them, and once it has, every other
/// source is told to skip them. When all are done the lock is resolved and removed.
///
/// Differences from DM, each answering a pain point of `dm-reference.md` §5.1:
/// - A mismatching Info is recorded as `infoRejected` with DM's message instead of being dropped
///   (P1); a later corrected Info or a manual unlock proceeds, and when the lock it disagreed
///   with goes (its sources left), the rejected Info is offered again by itself.
/// - A source leaving the task releases its part of every lock (P5); a removed task drops its
///   locks (P6). The engine issues `sourceLeftTask` / `taskRemoved` from scheduling events.
/// - An Info that arrives while the source's part of the same lock is done but the lock is still
///   resolving waits in the state and starts the next lock when the previous one is removed,
///   instead of racing the removal (dm#1253). Each lock instance has a serial that operations
///   carry, so a late done for an earlier instance of a reused lock id is refused (dm#936).
///
/// `decide` is pure and total over the state: it never reads a clock, so DM's "wait up to 10 s
/// for the owner" of manual unlock becomes a recorded decision completed by later
/// `operationDone` facts, or an immediate removal with `forceRemove`.
public enum Pessimism: Decider {
    public typealias Failure = Pessimism.Error

    /// A request to the pessimism coordinator.
    public enum Command: Sendable, Hashable {
        /// A worker reports its source is blocked at `info.ddls`. `taskSources` are the sources of
        /// the task's subtasks now (DM's `sources` argument of `TrySync`).
        case reportInfo(PessimismInfo, taskSources: Set<SourceID>)
        /// A worker executed or skipped the DDLs of `lock` as its operation told it. `lockSerial`
        /// is the operation's `lockSerial`; when given, a done for an earlier instance of the lock
        /// is refused instead of completing the current one.
        case operationDone(lock: LockID, source: SourceID, lockSerial: UInt64? = nil)
        /// Operator: `shard-ddl-lock unlock <lock> [--owner source] [--force-remove]`.
        case unlock(LockID, owner: SourceID?, forceRemove: Bool)
        /// Engine: `source` no longer belongs to `task` (stop-task -s, source removed).
        case sourceLeftTask(task: TaskName, source: SourceID)
        /// Engine: `task` was removed.
        case taskRemoved(task: TaskName)
    }

    /// Why a command was refused; nothing is appended.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public enum Code: Sendable, Hashable {
            /// The Info carries no DDL statement: a worker bug.
            case emptyDDLs
            /// No lock with that id exists.
            case lockNotFound
            /// The requested owner has not reported the lock's DDLs (DM's `ErrMasterWorkerNotWaitLock`).
            case ownerNotSynced
            /// The owner was already told to execute; replacing it could run the DDLs twice.
            case ownerAlreadyExecuting
            /// The source has no operation in this lock to be done with.
            case operationNotIssued
            /// The done names an earlier instance of the lock (a late or repeated done).
            case staleOperation
        }

        public var code: Code
        public var message: String

        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { self.message }
    }

    public static func decide(_ command: Command, _ state: State) throws(Error) -> [Event] {
        if let events = FastPath.decide(command, state) {
            assert(
                events == (try? self.decideBySimulation(command, state)),
                "fast path diverges from the simulation for \(command)"
            )
            return events
        }
        return try self.decideBySimulation(command, state)
    }

    /// The reference semantics of `decide`: each emitted event is evolved into a scratch copy of
    /// the state before the next decision. Copying makes it cost time proportional to what the
    /// command touches (whole lock, all Infos), so `decide` answers the hot commands (a source
    /// joining a lock, an operation done) without it and must return exactly these events; the
    /// tests check that for every command.
    public static func decideBySimulation(_ command: Command, _ state: State) throws(Error) -> [Event] {
        var decision = Decision(state)
        switch command {
        case .reportInfo(let info, let taskSources):
            try decision.reportInfo(info, taskSources: taskSources)
        case .operationDone(let lock, let source, let lockSerial):
            try decision.operationDone(lock: lock, source: source, lockSerial: lockSerial)
        case .unlock(let lock, let owner, let forceRemove):
            try decision.unlock(lock, owner: owner, forceRemove: forceRemove)
        case .sourceLeftTask(let task, let source):
            decision.sourceLeftTask(task: task, source: source)
        case .taskRemoved(let task):
            decision.taskRemoved(task: task)
        }
        return decision.events
    }
}
