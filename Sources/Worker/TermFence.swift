import Synchronization

/// The highest leader term this worker has seen. A view (and the operations in it) from a lower
/// term comes from a deposed leader that has not noticed yet, so the worker ignores it; the
/// downstream binding epoch stays the data-plane fence behind this one.
final class TermFence: Sendable {
    private let highest = Mutex<Int64>(0)

    /// Whether a view of `term` may be applied; remembers the term when it is the newest.
    func admit(_ term: Int64) -> Bool {
        self.highest.withLock { highest in
            guard term >= highest else { return false }
            highest = term
            return true
        }
    }

    var current: Int64 { self.highest.withLock { $0 } }
}
