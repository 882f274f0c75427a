import Synchronization

/// A gate tasks wait on until it opens; waiting ends early when the waiting task is cancelled.
///
/// One primitive serves three needs of a subtask: the stop signal (opened by `stop`), the pause
/// gate (closed while paused) and the "has finished" signal `stop` awaits. A `Mutex` rather than
/// an actor because the cancellation handler must resume the waiter synchronously.
public final class Gate: Sendable {
    private struct State {
        var isOpen: Bool
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state: Mutex<State>

    public init(open: Bool) {
        self.state = Mutex(State(isOpen: open))
    }

    public var isOpen: Bool { self.state.withLock { $0.isOpen } }

    public func open() {
        let waiters = self.state.withLock { state in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        // Resume outside the lock.
        for waiter in waiters { waiter.resume() }
    }

    public func close() {
        self.state.withLock { $0.isOpen = false }
    }

    /// Returns once the gate is open or the calling task is cancelled.
    public func wait() async {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    // Checked under the lock so a cancellation that ran before we stored the waiter is not lost.
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
