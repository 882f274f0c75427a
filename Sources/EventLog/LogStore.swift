/// The storage behind a master: an append-only, term-fenced log of opaque records plus snapshots.
///
/// `LMDBLog` is the embedded backend; an etcd-replicated store implements the same protocol for HA.
public protocol LogStore: Sendable {
    /// Appends `entries` under `term` and returns their sequence numbers once they are durable.
    /// A term older than the log's current term is refused with `.staleTerm` and nothing is written;
    /// a newer term becomes the current one (the new leader fences the old).
    func append(_ entries: [LogEntry], term: UInt64) async throws(EventLogError) -> Range<UInt64>

    /// Persists and returns a term one higher than any the log has seen (embedded election).
    func beginTerm() async throws(EventLogError) -> UInt64

    var currentTerm: UInt64 { get }
    /// The sequence of the newest durable record, 0 when empty.
    var lastSequence: UInt64 { get }
    /// The oldest sequence still stored (records before it were truncated behind a snapshot).
    var firstSequence: UInt64 { get throws(EventLogError) }

    /// Up to `limit` records starting at `sequence`.
    func records(from sequence: UInt64, limit: Int) throws(EventLogError) -> [LogRecord]

    /// Calls `body` for each record in `range` inside one consistent read, stopping early if it returns false.
    func forEachRecord(
        in range: ClosedRange<UInt64>, _ body: (LogRecord) throws(EventLogError) -> Bool
    ) throws(EventLogError)

    /// Like `forEachRecord`, but each record's payload is a view of the stored bytes, valid only
    /// during the call to `body` (no copy). Checksums are verified as for `forEachRecord`.
    func forEachRawRecord(
        in range: ClosedRange<UInt64>, _ body: (RawLogRecord) throws(EventLogError) -> Bool
    ) throws(EventLogError)

    /// Records from `sequence` on, waking on each commit; never ends until cancelled.
    func tail(from sequence: UInt64) -> AsyncThrowingStream<LogRecord, any Error>

    func writeSnapshot(_ snapshot: SnapshotRecord) async throws(EventLogError)
    /// The newest snapshot taken at or before `sequence`.
    func latestSnapshot(atOrBefore sequence: UInt64) throws(EventLogError) -> SnapshotRecord?
}

extension LogStore {
    public func forEachRawRecord(
        in range: ClosedRange<UInt64>, _ body: (RawLogRecord) throws(EventLogError) -> Bool
    ) throws(EventLogError) {
        try self.forEachRecord(in: range) { record throws(EventLogError) -> Bool in
            try withBytes(record.payload) { payload throws(EventLogError) -> Bool in
                try body(RawLogRecord(sequence: record.sequence, term: record.term, timestamp: record.timestamp, typeTag: record.typeTag, payload: payload))
            }
        }
    }
}
