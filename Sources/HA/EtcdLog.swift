import Etcd
public import EventLog
import Foundation
import Logging
import Synchronization

/// The HA `LogStore`: etcd holds the replicated, fenced log; every master keeps all of it in an
/// LMDB mirror that serves every read (ha.md §3.3–3.4).
///
/// One append is one etcd transaction that succeeds only while this master's election key still
/// has the term's create revision and the log head is where this leader left it. It writes the
/// batch as one chunk key plus the new head. A deposed, paused or partitioned leader therefore
/// cannot append; an append whose outcome is unknown is resolved by reading the head back.
public final class EtcdLog: LogStore {
    /// What fences this leader's appends.
    struct Fence: Sendable {
        var electionKey: String
        var term: UInt64
        /// `log/head`'s mod revision after this leader's last append (0: no head yet).
        var headRevision: Int64
    }

    public let mirror: LMDBLog
    public let client: EtcdClient
    public let keys: EtcdKeys
    let logger: Logger
    /// Called when an append proves this master no longer leads; the elector steps down.
    let onFenceLost: @Sendable (String) -> Void
    let fence = Mutex<Fence?>(nil)
    /// Where etcd's cluster id is pinned, beside the mirror.
    let clusterIDFile: String
    /// Chunks larger than this are split (etcd refuses requests over 1.5 MiB).
    static let maxChunkBytes = 1 << 20
    /// A snapshot is written into etcd in parts of this size, one txn each.
    let snapshotPartBytes: Int

    public init(
        mirror: LMDBLog, mirrorDirectory: String, client: EtcdClient, keys: EtcdKeys, logger: Logger,
        snapshotPartBytes: Int = 512 << 10, onFenceLost: @escaping @Sendable (String) -> Void
    ) {
        self.snapshotPartBytes = max(1, snapshotPartBytes)
        self.mirror = mirror
        self.client = client
        self.keys = keys
        self.logger = logger
        self.onFenceLost = onFenceLost
        self.clusterIDFile = mirrorDirectory + "/etcd-cluster-id"
    }

    // MARK: - Leading

    /// Makes this member the log's writer for `term`: catches the mirror up to etcd's head (read
    /// linearizably) and remembers the head's revision for the contiguity compare.
    public func takeOver(term: UInt64, electionKey: String) async throws(EventLogError) {
        let position = try await self.catchUp()
        self.fence.withLock { $0 = Fence(electionKey: electionKey, term: term, headRevision: position.headRevision) }
    }

    /// Stops writing (after a step-down).
    public func release() { self.fence.withLock { $0 = nil } }

    public func append(_ entries: [LogEntry], term: UInt64) async throws(EventLogError) -> Range<UInt64> {
        guard let fence = self.fence.withLock({ $0 }), fence.term == term else {
            throw EventLogError(.staleTerm, "term \(term) does not lead this log")
        }
        if entries.isEmpty {
            let next = self.mirror.lastSequence + 1
            return next..<next
        }
        var start = entries.startIndex
        var first: UInt64 = 0
        var last: UInt64 = 0
        // Normally one chunk; a batch over the size limit is split into consecutive fenced appends.
        while start < entries.endIndex {
            var end = start
            var bytes = 0
            while end < entries.endIndex, end == start || bytes + entries[end].payload.count + 14 <= Self.maxChunkBytes {
                bytes += entries[end].payload.count + 14
                end += 1
            }
            let range = try await self.appendChunk(Array(entries[start..<end]), term: term)
            if first == 0 { first = range.lowerBound }
            last = range.upperBound
            start = end
        }
        return first..<last
    }

    private func appendChunk(_ entries: [LogEntry], term: UInt64) async throws(EventLogError) -> Range<UInt64> {
        guard var fence = self.fence.withLock({ $0 }), fence.term == term else {
            throw EventLogError(.staleTerm, "term \(term) does not lead this log")
        }
        let first = self.mirror.lastSequence + 1
        let chunk = LogChunk(firstSequence: first, term: term, batchID: UInt64.random(in: 1...UInt64.max), entries: entries)
        let head = LogHead(lastSequence: chunk.lastSequence, term: term, batchID: chunk.batchID)
        let headBytes = (try? JSONEncoder().encode(head)) ?? Data()
        let compare: [EtcdCompare] = [
            .createRevision(fence.electionKey, .equal, Int64(term)),
            .modRevision(self.keys.head, .equal, fence.headRevision),
        ]
        let success: [EtcdOperation] = [
            .put(key: self.keys.chunk(firstSequence: first), value: Data(chunk.encoded()), lease: nil),
            .put(key: self.keys.head, value: headBytes, lease: nil),
        ]
        let failure: [EtcdOperation] = [.range(key: fence.electionKey, rangeEnd: nil), .range(key: self.keys.head, rangeEnd: nil)]
        var committedAt: Int64?
        for _ in 0..<5 where committedAt == nil {
            let answer: EtcdTxnResponse
            do throws(EtcdError) {
                answer = try await self.client.txn(compare: compare, success: success, failure: failure)
            } catch {
                switch error.code {
                case .ambiguous:
                    // Read back: our batch in the head means it committed; an unmoved head means it did not.
                    switch try await self.resolve(batchID: chunk.batchID, fence: fence) {
                    case .committed(let revision): committedAt = revision
                    case .notApplied: continue
                    case .deposed(let why): throw self.lost(why)
                    case .unknown(let why):
                        _ = self.lost(why)
                        throw EventLogError(
                            .unavailable,
                            "append of \(first)...\(chunk.lastSequence): outcome unknown (\(why)); if it committed, the log shows it once etcd is back")
                    }
                case .unreachable, .noLeader:
                    throw EventLogError(.unavailable, "etcd cannot take appends: \(error.message)")
                case .spaceExceeded:
                    // The txn that raises the alarm can still have been applied: read the head back.
                    switch try await self.resolve(batchID: chunk.batchID, fence: fence) {
                    case .committed(let revision):
                        committedAt = revision
                        continue
                    case .notApplied, .deposed, .unknown:
                        throw EventLogError(.unavailable, "etcd is out of space (NOSPACE alarm; compact, defragment and disarm): \(error.message)")
                    }
                case .requestTooLarge, .compacted, .rejected, .badResponse:
                    throw EventLogError(.unavailable, "etcd refused the append: \(error)")
                }
                continue
            }
            guard answer.didSucceed else { throw self.fenceFailure(answer, term: term) }
            committedAt = answer.header?.revisionValue
        }
        guard let revision = committedAt else { throw EventLogError(.unavailable, "append of \(first) unresolved after retries") }
        fence.headRevision = revision
        self.fence.withLock { current in
            if current?.term == term { current?.headRevision = revision }
        }
        let range = try await self.mirror.append(entries, term: term)
        guard range.lowerBound == first else {
            throw EventLogError(.diverged, "the mirror placed the chunk at \(range.lowerBound), etcd at \(first)", sequence: first)
        }
        return range
    }

    /// A failed compare: either the election key is no longer ours (deposed) or the head moved.
    private func fenceFailure(_ answer: EtcdTxnResponse, term: UInt64) -> EventLogError {
        let ranges = answer.ranges
        let election = ranges.first?.items.first
        if election == nil || UInt64(election!.createRevisionValue) != term {
            return self.lost("election key gone or re-created (term \(term) is over)")
        }
        return self.lost("log head moved under term \(term): another writer")
    }

    func lost(_ why: String) -> EventLogError {
        self.release()
        self.onFenceLost(why)
        return EventLogError(.staleTerm, "append refused by the fence: \(why)")
    }

    enum Resolution { case committed(Int64), notApplied, deposed(String), unknown(String) }

    /// Reads `log/head` until etcd answers, within a few seconds.
    private func resolve(batchID: UInt64, fence: Fence) async throws(EventLogError) -> Resolution {
        for attempt in 0..<20 {
            do throws(EtcdError) {
                let answer = try await self.client.range(self.keys.head)
                let kv = answer.items.first
                let head = LogHead.decode(kv)
                if let head, head.batchID == batchID { return .committed(kv!.modRevisionValue) }
                if (kv?.modRevisionValue ?? 0) == fence.headRevision { return .notApplied }
                return .deposed("another append moved the head while ours was in doubt")
            } catch {
                self.logger.warning("resolving an ambiguous append", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(150))
            }
        }
        return .unknown("etcd did not answer while the append was in doubt")
    }

    // MARK: - LogStore reads: the mirror

    public func beginTerm() async throws(EventLogError) -> UInt64 {
        throw EventLogError(.storage, "in HA mode the term comes from the etcd election")
    }

    public var currentTerm: UInt64 { max(self.mirror.currentTerm, self.fence.withLock { $0?.term ?? 0 }) }
    public var lastSequence: UInt64 { self.mirror.lastSequence }
    public var firstSequence: UInt64 { self.mirror.firstSequence }

    public func records(from sequence: UInt64, limit: Int) throws(EventLogError) -> [LogRecord] {
        try self.mirror.records(from: sequence, limit: limit)
    }

    public func forEachRecord(in range: ClosedRange<UInt64>, _ body: (LogRecord) throws(EventLogError) -> Bool) throws(EventLogError) {
        try self.mirror.forEachRecord(in: range, body)
    }

    public func forEachRawRecord(in range: ClosedRange<UInt64>, _ body: (RawLogRecord) throws(EventLogError) -> Bool) throws(EventLogError) {
        try self.mirror.forEachRawRecord(in: range, body)
    }

    public func tail(from sequence: UInt64) -> AsyncThrowingStream<LogRecord, any Error> { self.mirror.tail(from: sequence) }

    public func writeSnapshot(_ snapshot: SnapshotRecord) async throws(EventLogError) { try await self.mirror.writeSnapshot(snapshot) }

    public func latestSnapshot(atOrBefore sequence: UInt64) throws(EventLogError) -> SnapshotRecord? {
        try self.mirror.latestSnapshot(atOrBefore: sequence)
    }
}
