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
public final class EtcdLog: PipelinedLogStore {
    /// What fences this leader's appends, and where the next reserved one goes.
    struct Fence: Sendable {
        var electionKey: String
        var term: UInt64
        /// The sequence the next reserved append starts at.
        var nextSequence: UInt64
        /// `log/head`'s value the next reserved append compares against (nil: no head yet).
        var expectedHead: Data?
        /// The head of the last append that committed and is mirrored: where a reset goes back to.
        var committedHead: Data?
        /// The last reserved append, which the next one waits for before it is mirrored.
        var tail: AppendSlot?
        /// An append failed: later reservations are refused until `resetPipeline()`.
        var broken: Bool = false
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
    public let pipelineDepth: Int
    /// One append at a time. Deeper pipelines measured worse on a 2-core machine running etcd
    /// beside Braid: appends sent together reach etcd out of order over separate connections, so
    /// the later ones fail their compare and are resent (`braid-bench ha-append`, ha-lock).
    public static let defaultPipelineDepth = 1

    public init(
        mirror: LMDBLog, mirrorDirectory: String, client: EtcdClient, keys: EtcdKeys, logger: Logger,
        snapshotPartBytes: Int = 512 << 10, pipelineDepth: Int = EtcdLog.defaultPipelineDepth, onFenceLost: @escaping @Sendable (String) -> Void
    ) {
        self.snapshotPartBytes = max(1, snapshotPartBytes)
        self.pipelineDepth = max(1, pipelineDepth)
        self.mirror = mirror
        self.client = client
        self.keys = keys
        self.logger = logger
        self.onFenceLost = onFenceLost
        self.clusterIDFile = mirrorDirectory + "/etcd-cluster-id"
    }

    // MARK: - Leading

    /// Makes this member the log's writer for `term`: catches the mirror up to etcd's head (read
    /// linearizably) and remembers the head the first append compares against.
    public func takeOver(term: UInt64, electionKey: String) async throws(EventLogError) {
        let position = try await self.catchUp()
        self.fence.withLock {
            $0 = Fence(
                electionKey: electionKey, term: term, nextSequence: self.mirror.lastSequence + 1,
                expectedHead: position.headValue, committedHead: position.headValue)
        }
    }

    /// Stops writing (after a step-down).
    public func release() { self.fence.withLock { $0 = nil } }

    /// Appends `entries` and waits for them: one chunk, or consecutive chunks past the size limit.
    /// This is the one-at-a-time API (do not mix it with `reserve`): after a failure the next call
    /// starts again from the last durable record, so a transient etcd error costs one batch only.
    public func append(_ entries: [LogEntry], term: UInt64) async throws(EventLogError) -> Range<UInt64> {
        if entries.isEmpty {
            let next = self.mirror.lastSequence + 1
            return next..<next
        }
        var start = entries.startIndex
        var first: UInt64 = 0
        var last: UInt64 = 0
        while start < entries.endIndex {
            var end = start
            var bytes = 0
            while end < entries.endIndex, end == start || bytes + entries[end].payload.count + 14 <= Self.maxChunkBytes {
                bytes += entries[end].payload.count + 14
                end += 1
            }
            let range: Range<UInt64>
            do throws(EventLogError) {
                range = try await self.reserve(Array(entries[start..<end]), term: term).commit()
            } catch {
                self.resetPipeline()
                throw error
            }
            if first == 0 { first = range.lowerBound }
            last = range.upperBound
            start = end
        }
        return first..<last
    }

    public func reserve(_ entries: [LogEntry], term: UInt64) throws(EventLogError) -> any AppendTicket {
        let result = self.fence.withLock { fence -> Result<EtcdAppendTicket, EventLogError> in
            guard var current = fence, current.term == term else {
                return .failure(EventLogError(.staleTerm, "term \(term) does not lead this log"))
            }
            guard !current.broken else {
                return .failure(EventLogError(.unavailable, "an earlier append failed; appends resume once it is settled"))
            }
            let chunk = LogChunk(firstSequence: current.nextSequence, term: term, batchID: UInt64.random(in: 1...UInt64.max), entries: entries)
            let head = (try? JSONEncoder().encode(LogHead(lastSequence: chunk.lastSequence, term: term, batchID: chunk.batchID))) ?? Data()
            let ticket = EtcdAppendTicket(
                log: self, electionKey: current.electionKey, chunk: chunk, head: head, expected: current.expectedHead,
                previous: current.tail, slot: AppendSlot())
            current.nextSequence = chunk.lastSequence + 1
            current.expectedHead = head
            current.tail = ticket.slot
            fence = current
            return .success(ticket)
        }
        return try result.get()
    }

    public func resetPipeline() {
        self.fence.withLock { fence in
            guard var current = fence else { return }
            current.nextSequence = self.mirror.lastSequence + 1
            current.expectedHead = current.committedHead
            current.tail = nil
            current.broken = false
            fence = current
        }
    }

    func markBroken() { self.fence.withLock { $0?.broken = true } }

    /// Sends one reserved append until its outcome is known, then mirrors it after its predecessor.
    func commit(_ ticket: EtcdAppendTicket) async throws(EventLogError) -> Range<UInt64> {
        let chunk = ticket.chunk
        let term = chunk.term
        let compare: [EtcdCompare] = [
            .createRevision(ticket.electionKey, .equal, Int64(term)),
            ticket.expected.map { .value(self.keys.head, .equal, $0) } ?? .modRevision(self.keys.head, .equal, 0),
        ]
        let success: [EtcdOperation] = [
            .put(key: self.keys.chunk(firstSequence: chunk.firstSequence), value: Data(chunk.encoded()), lease: nil),
            .put(key: self.keys.head, value: ticket.head, lease: nil),
        ]
        let failure: [EtcdOperation] = [.range(key: ticket.electionKey, rangeEnd: nil), .range(key: self.keys.head, rangeEnd: nil)]
        var committed = false
        var waitedForPrevious = false
        // A txn that cannot succeed yet because the append before it has not landed: wait for that
        // one's outcome, then resend (its failure fails this one too).
        func afterPrevious() async throws(EventLogError) {
            guard let previous = ticket.previous, !waitedForPrevious else {
                throw self.lost("log head moved under term \(term): another writer")
            }
            waitedForPrevious = true
            if case .failure(let error) = await previous.wait() {
                throw EventLogError(.unavailable, "the append before \(chunk.firstSequence) failed: \(error.message)")
            }
        }
        for _ in 0..<6 where !committed {
            let answer: EtcdTxnResponse
            do throws(EtcdError) {
                answer = try await self.client.txn(compare: compare, success: success, failure: failure)
            } catch {
                switch error.code {
                case .ambiguous, .spaceExceeded:
                    // Read back: our batch in the head means it committed; an older head means it did not.
                    switch try await self.resolve(ticket) {
                    case .committed: committed = true
                    case .notApplied(let predecessorPending):
                        if error.code == .spaceExceeded {
                            throw EventLogError(.unavailable, "etcd is out of space (NOSPACE alarm; compact, defragment and disarm): \(error.message)")
                        }
                        if predecessorPending { try await afterPrevious() }
                    case .deposed(let why): throw self.lost(why)
                    case .unknown(let why):
                        _ = self.lost(why)
                        throw EventLogError(
                            .unavailable,
                            "append of \(chunk.firstSequence)...\(chunk.lastSequence): outcome unknown (\(why)); if it committed, the log shows it once etcd is back")
                    }
                case .unreachable, .noLeader:
                    throw EventLogError(.unavailable, "etcd cannot take appends: \(error.message)")
                case .requestTooLarge, .compacted, .rejected, .badResponse:
                    throw EventLogError(.unavailable, "etcd refused the append: \(error)")
                }
                continue
            }
            if answer.didSucceed {
                committed = true
                continue
            }
            let election = answer.ranges.first?.items.first
            if election == nil || UInt64(election!.createRevisionValue) != term {
                throw self.lost("election key gone or re-created (term \(term) is over)")
            }
            try await afterPrevious()
        }
        guard committed else { throw EventLogError(.unavailable, "append of \(chunk.firstSequence) unresolved after retries") }
        // The mirror takes chunks in order: the previous append is mirrored (or failed) first.
        if let previous = ticket.previous, case .failure(let error) = await previous.wait() {
            throw self.lost("append \(chunk.firstSequence) committed after the one before it failed (\(error.message))")
        }
        let range = try await self.mirror.append(chunk.entries, term: term)
        guard range.lowerBound == chunk.firstSequence else {
            throw EventLogError(.diverged, "the mirror placed the chunk at \(range.lowerBound), etcd at \(chunk.firstSequence)", sequence: chunk.firstSequence)
        }
        self.fence.withLock { fence in
            if fence?.term == term { fence?.committedHead = ticket.head }
        }
        return range
    }

    func lost(_ why: String) -> EventLogError {
        self.release()
        self.onFenceLost(why)
        return EventLogError(.staleTerm, "append refused by the fence: \(why)")
    }

    enum Resolution { case committed, notApplied(predecessorPending: Bool), deposed(String), unknown(String) }

    /// Reads `log/head` until etcd answers, within a few seconds, and says what became of `ticket`.
    private func resolve(_ ticket: EtcdAppendTicket) async throws(EventLogError) -> Resolution {
        for attempt in 0..<20 {
            do throws(EtcdError) {
                let answer = try await self.client.range(self.keys.head)
                let kv = answer.items.first
                let head = LogHead.decode(kv)
                if let head, head.batchID == ticket.chunk.batchID { return .committed }
                if kv?.bytes == ticket.expected || (kv == nil && ticket.expected == nil) { return .notApplied(predecessorPending: false) }
                // The append before ours has not landed yet: ours cannot have either.
                if let head, head.lastSequence < ticket.chunk.firstSequence - 1, ticket.previous != nil {
                    return .notApplied(predecessorPending: true)
                }
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

/// One reserved append to etcd (see `PipelinedLogStore`).
struct EtcdAppendTicket: AppendTicket {
    let log: EtcdLog
    let electionKey: String
    let chunk: LogChunk
    /// The head this append writes, and the one it requires (nil: no head yet).
    let head: Data
    let expected: Data?
    let previous: AppendSlot?
    let slot: AppendSlot

    func commit() async throws(EventLogError) -> Range<UInt64> {
        do throws(EventLogError) {
            let range = try await self.log.commit(self)
            self.slot.complete(.success(()))
            return range
        } catch {
            self.log.markBroken()
            self.slot.complete(.failure(error))
            throw error
        }
    }
}

/// The outcome of one append, for the appends reserved after it.
final class AppendSlot: Sendable {
    private let state = Mutex<(outcome: Result<Void, EventLogError>?, waiters: [CheckedContinuation<Result<Void, EventLogError>, Never>])>((nil, []))

    func complete(_ outcome: Result<Void, EventLogError>) {
        let waiters = self.state.withLock { state in
            state.outcome = outcome
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    func wait() async -> Result<Void, EventLogError> {
        await withCheckedContinuation { continuation in
            let ready = self.state.withLock { state -> Result<Void, EventLogError>? in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
