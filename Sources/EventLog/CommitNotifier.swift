import Synchronization

/// Publishes the newest durable sequence and wakes tailers waiting past a point.
final class CommitNotifier: Sendable {
    private struct State {
        var last: UInt64
        var nextID = 0
        var waiters: [Int: (after: UInt64, continuation: CheckedContinuation<Void, any Error>)] = [:]
    }

    private let state: Mutex<State>

    init(last: UInt64) {
        self.state = Mutex(State(last: last))
    }

    var last: UInt64 { self.state.withLock { $0.last } }

    func publish(_ last: UInt64) {
        let ready = self.state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.last = last
            var ready: [CheckedContinuation<Void, any Error>] = []
            for (id, waiter) in state.waiters where waiter.after < last {
                ready.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return ready
        }
        // Resume outside the lock.
        for continuation in ready { continuation.resume() }
    }

    /// Returns once a record after `sequence` is durable; throws `CancellationError` if cancelled.
    func wait(after sequence: UInt64) async throws {
        let id = self.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.last > sequence { return true }
                    if Task.isCancelled { return true }
                    state.waiters[id] = (sequence, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            try Task.checkCancellation()
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
