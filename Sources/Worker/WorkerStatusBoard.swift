import Synchronization

/// What `GET /status` on the worker's `--listen` address shows: the session, the binding and each
/// subtask with the stage the master expects and the stage the runner last reported.
public struct WorkerStatus: Sendable, Codable, Equatable {
    public struct Subtask: Sendable, Codable, Equatable {
        public var task: String
        public var source: String
        /// What the master's view asks for: Running or Paused.
        public var expectedStage: String
        /// What the runner last reported (New until it reports).
        public var stage: String
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case task, source, stage, error
            case expectedStage = "expected_stage"
        }
    }

    public var name: String
    /// Whether a session with the master holds a lease right now.
    public var registered: Bool
    public var master: String?
    public var source: String?
    public var bindingEpoch: Int64?
    public var subtasks: [Subtask]

    enum CodingKeys: String, CodingKey {
        case name, registered, master, source, subtasks
        case bindingEpoch = "binding_epoch"
    }
}

/// The worker's live status, written by the session loop and the supervisor, read by the status
/// server. A lock-protected value: writers are rare (view changes, stage reports), reads are scrapes.
final class WorkerStatusBoard: Sendable {
    struct Counters: Sendable, Equatable {
        var registrations = 0
        var keepalivesOK = 0
        var keepalivesFailed = 0
        var leaseLapses = 0
        var views = 0
    }

    private struct State {
        var status: WorkerStatus
        var counters = Counters()
    }

    private let state: Mutex<State>

    init(name: String) {
        self.state = Mutex(State(status: WorkerStatus(name: name, registered: false, subtasks: [])))
    }

    var status: WorkerStatus { self.state.withLock { $0.status } }
    var counters: Counters { self.state.withLock { $0.counters } }

    func registered(master: String) {
        self.state.withLock {
            $0.status.registered = true
            $0.status.master = master
            $0.counters.registrations += 1
        }
    }

    func lapsed() {
        self.state.withLock {
            $0.status.registered = false
            $0.counters.leaseLapses += 1
        }
    }

    func unregistered() { self.state.withLock { $0.status.registered = false } }

    func keepalive(ok: Bool) {
        self.state.withLock { if ok { $0.counters.keepalivesOK += 1 } else { $0.counters.keepalivesFailed += 1 } }
    }

    func viewApplied() { self.state.withLock { $0.counters.views += 1 } }

    func bound(source: String?, epoch: Int64?) {
        self.state.withLock {
            $0.status.source = source
            $0.status.bindingEpoch = epoch
        }
    }

    /// A subtask runs (or is paused) because the view asks for `expected`.
    func expect(_ key: SubtaskKey, _ expected: String) {
        self.state.withLock { state in
            if let i = state.status.subtasks.firstIndex(where: { $0.task == key.task && $0.source == key.source }) {
                state.status.subtasks[i].expectedStage = expected
            } else {
                state.status.subtasks.append(.init(task: key.task, source: key.source, expectedStage: expected, stage: SubtaskStage.new.rawValue))
                state.status.subtasks.sort { ($0.task, $0.source) < ($1.task, $1.source) }
            }
        }
    }

    /// The stage the master's view expects and the one last reported, for a report being sent.
    func stages(_ key: SubtaskKey) -> (expected: String, reported: String)? {
        self.state.withLock { state in
            state.status.subtasks.first { $0.task == key.task && $0.source == key.source }.map { ($0.expectedStage, $0.stage) }
        }
    }

    func reported(_ key: SubtaskKey, stage: SubtaskStage, error: String?) {
        self.state.withLock { state in
            guard let i = state.status.subtasks.firstIndex(where: { $0.task == key.task && $0.source == key.source }) else { return }
            state.status.subtasks[i].stage = stage.rawValue
            state.status.subtasks[i].error = error
        }
    }

    /// Drops subtasks the view no longer lists (e.g. one whose start failed, then was stopped).
    func retain(_ keys: Set<SubtaskKey>) {
        self.state.withLock { $0.status.subtasks.removeAll { !keys.contains(SubtaskKey(task: $0.task, source: $0.source)) } }
    }

    func removed(_ key: SubtaskKey) {
        self.state.withLock { $0.status.subtasks.removeAll { $0.task == key.task && $0.source == key.source } }
    }
}
