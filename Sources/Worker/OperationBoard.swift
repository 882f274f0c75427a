import API
import Synchronization

/// The Operations the watch delivered, and the shard-DDL calls waiting for theirs.
///
/// The watch publishes the whole current list each time; a waiter is resumed by the first
/// not-done Operation it matches that this worker has not already completed. Remembering
/// completed Operations matters because a view fetched before our done report can arrive after it.
/// Once the master no longer lists an Operation it is forgotten: a later lock with the same id
/// may reuse its operation id (optimistic ids restart per lock), and must not look completed.
final class OperationBoard: Sendable {
    typealias Operation = Components.Schemas.Operation
    typealias Matcher = @Sendable (Operation) -> Bool

    private struct Waiter {
        var matches: Matcher
        /// Only a view at or after this log sequence answers (one that includes the waiter's report).
        var atLeast: Int64
        var continuation: CheckedContinuation<Operation?, Never>
    }

    private struct State {
        var operations: [Operation] = []
        /// The log sequence of the view `operations` came from.
        var sequence: Int64 = 0
        var completed: Set<String> = []
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]

        func candidate(_ matches: Matcher, atLeast: Int64) -> Operation? {
            guard self.sequence >= atLeast else { return nil }
            return self.operations.first { !$0.done && !self.completed.contains(OperationBoard.identity($0)) && matches($0) }
        }
    }

    private let state = Mutex(State())

    /// Identity of one issued Operation: a lock serial or an optimistic operation id distinguishes reissues.
    static func identity(_ op: Operation) -> String {
        "\(op.mode.rawValue)|\(op.lock_id)|\(op.source)|\(op.lock_serial ?? -1)|\(op.operation_id ?? -1)|\(op.exec)"
    }

    func publish(_ operations: [Operation], sequence: Int64) {
        let ready: [(CheckedContinuation<Operation?, Never>, Operation)] = self.state.withLock { state in
            state.operations = operations
            state.sequence = max(state.sequence, sequence)
            // Views arrive in order, so an Operation absent now never comes back from an older view.
            let listed = Set(operations.map(Self.identity))
            state.completed.formIntersection(listed)
            var ready: [(CheckedContinuation<Operation?, Never>, Operation)] = []
            for (id, waiter) in state.waiters {
                if let op = state.candidate(waiter.matches, atLeast: waiter.atLeast) {
                    ready.append((waiter.continuation, op))
                    state.waiters[id] = nil
                }
            }
            return ready
        }
        for (continuation, op) in ready { continuation.resume(returning: op) }
    }

    func markCompleted(_ op: Operation) {
        self.state.withLock { _ = $0.completed.insert(Self.identity(op)) }
    }

    /// The first listed, not-done Operation that matches, without waiting.
    func current(_ matches: Matcher) -> Operation? {
        self.state.withLock { state in state.operations.first { !$0.done && matches($0) } }
    }

    /// Waits for a matching Operation in a view at or after log sequence `atLeast` (the report it
    /// answers: an older view may still list the previous answer to the same table, e.g. the error
    /// a replaced DDL got); `nil` when the calling task is cancelled.
    func wait(for matches: @escaping Matcher, atLeast: Int64 = 0) async -> Operation? {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Operation?, Never>) in
                let now: Operation?? = self.state.withLock { state in
                    if Task.isCancelled { return .some(nil) }
                    if let op = state.candidate(matches, atLeast: atLeast) { return .some(op) }
                    state.waiters[id] = Waiter(matches: matches, atLeast: atLeast, continuation: continuation)
                    return .none
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: nil)
        }
    }
}
