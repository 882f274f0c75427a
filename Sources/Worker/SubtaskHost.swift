import Synchronization

/// A home for per-subtask work inside the worker's task tree, for `SubtaskRunner` implementations.
///
/// `start` queues a body; `run()` (the runner's `run`) executes each body as a child task, so a
/// runner needs no unstructured `Task {}`. `stop` cancels that child and returns once it has
/// finished, which is what lets fencing promise that nothing writes after it returns.
public final class SubtaskHost: Sendable {
    /// What a subtask body sees: wait here between steps to honour pause.
    public struct Control: Sendable {
        let pauseGate: Gate
        /// Returns at once when running; while paused, waits for resume (or cancellation on stop).
        public func waitIfPaused() async { await self.pauseGate.wait() }
        public var isPaused: Bool { !self.pauseGate.isOpen }
    }

    public typealias Body = @Sendable (Control) async -> Void

    private struct Entry {
        var stopGate = Gate(open: false)
        var pauseGate = Gate(open: true)
        var finished = Gate(open: false)
    }

    private struct Job: Sendable {
        var key: SubtaskKey
        var stop: Gate
        var pause: Gate
        var finished: Gate
        var body: Body
    }

    private let entries = Mutex<[SubtaskKey: Entry]>([:])
    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    public init() {
        (self.jobs, self.continuation) = AsyncStream.makeStream()
    }

    /// Queues the subtask's body; `run()` starts it. Starting a running subtask is refused. With
    /// `paused`, the pause gate is closed before the body can run (a subtask expected Paused).
    public func start(_ key: SubtaskKey, paused: Bool = false, body: @escaping Body) throws(SubtaskRunnerError) {
        var entry = Entry()
        if paused { entry.pauseGate = Gate(open: false) }
        let inserted = self.entries.withLock { entries in
            guard entries[key] == nil else { return false }
            entries[key] = entry
            return true
        }
        guard inserted else { throw SubtaskRunnerError("subtask \(key) is already running") }
        self.continuation.yield(
            Job(key: key, stop: entry.stopGate, pause: entry.pauseGate, finished: entry.finished, body: body))
    }

    public func pause(_ key: SubtaskKey) { self.entries.withLock { $0[key]?.pauseGate.close() } }
    public func resume(_ key: SubtaskKey) { self.entries.withLock { $0[key]?.pauseGate.open() } }

    /// Stops the subtask and waits until its body has returned.
    public func stop(_ key: SubtaskKey) async {
        guard let entry = self.entries.withLock({ $0.removeValue(forKey: key) }) else { return }
        entry.stopGate.open()
        await entry.finished.wait()
    }

    public var running: [SubtaskKey] { self.entries.withLock { $0.keys.sorted() } }

    /// Runs queued bodies until cancelled; cancellation cancels every body.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for await job in self.jobs {
                group.addTask {
                    await withTaskGroup(of: Void.self) { inner in
                        inner.addTask { await job.body(Control(pauseGate: job.pause)) }
                        inner.addTask { await job.stop.wait() }
                        await inner.next()
                        inner.cancelAll()
                    }
                    self.entries.withLock { entries in
                        if entries[job.key]?.finished === job.finished { entries[job.key] = nil }
                    }
                    job.finished.open()
                }
            }
            group.cancelAll()
        }
    }
}
