public import EventLog

/// A won election: the term every append of this leader carries.
public struct Leadership: Sendable, Hashable {
    public var term: UInt64

    public init(term: UInt64) { self.term = term }
}

/// Decides which master is the leader. The term it hands out flows into `EngineHost`, so the log
/// refuses appends from a master that has lost leadership (term fencing).
///
/// The embedded elector is always the leader; an etcd elector (later) campaigns on a lease and
/// reports loss of leadership through `leadershipLost()`.
public protocol Elector: Sendable {
    /// Blocks until this master is the leader, then returns its term.
    func campaign() async throws -> Leadership
    /// Returns when leadership is lost (never for the embedded elector); the caller must stop writing.
    func leadershipLost() async
    /// Gives up leadership (graceful shutdown).
    func resign() async
}

/// The single-master elector: always the leader, with a new term at each start.
public struct EmbeddedElector: Elector {
    let log: any LogStore

    public init(log: any LogStore) { self.log = log }

    /// Takes a new term from the log itself (`LogStore.beginTerm()`), fencing any earlier process.
    public func campaign() async throws -> Leadership {
        Leadership(term: try await self.log.beginTerm())
    }

    /// An embedded master never loses leadership; this waits until the task is cancelled.
    public func leadershipLost() async {
        let never = AsyncStream<Void> { _ in }
        for await _ in never {}
    }

    public func resign() async {}
}
