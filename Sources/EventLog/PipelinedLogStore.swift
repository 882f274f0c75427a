/// A log whose appends can overlap: `reserve` places an append synchronously, in call order, and
/// its ticket's `commit()` makes it durable. Later tickets may be sent before earlier ones return;
/// the store keeps them in order, and when one fails every later one fails too.
///
/// The HA log uses this to send fenced etcd txn k+1 while txn k is in flight (ha.md §3.3), so a
/// command arriving during an append waits for its own round trip, not for two.
public protocol PipelinedLogStore: LogStore {
    /// How many appends may be in flight at once.
    var pipelineDepth: Int { get }

    /// Fixes where `entries` will land (after every earlier reserved append) without any I/O.
    func reserve(_ entries: [LogEntry], term: UInt64) throws(EventLogError) -> any AppendTicket

    /// After a failed append, and once no ticket is in flight: the next reservation follows the
    /// last durable record again.
    func resetPipeline()
}

/// One reserved append.
public protocol AppendTicket: Sendable {
    /// Sends the append and returns once it is durable and every earlier one is too.
    func commit() async throws(EventLogError) -> Range<UInt64>
}
