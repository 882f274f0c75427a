import CLMDB
import Dispatch
import Synchronization

/// The embedded `LogStore`: one LMDB environment, one writer queue, group commit.
///
/// Appends from any number of tasks are queued; the writer drains everything queued into one
/// transaction with one fsync, then resumes each caller. While a commit is in flight new appends
/// pile up and form the next group, so throughput grows with concurrency at constant fsync cost.
public final class LMDBLog: LogStore {
    public struct Options: Sendable {
        public var syncMode: SyncMode
        public var initialMapSize: Int
        /// The map doubles on demand up to this size; past it appends fail with `.mapFull`.
        public var maxMapSize: Int

        public init(syncMode: SyncMode = .durable, initialMapSize: Int = 64 << 20, maxMapSize: Int = 1 << 40) {
            self.syncMode = syncMode
            self.initialMapSize = initialMapSize
            self.maxMapSize = maxMapSize
        }
    }

    struct AppendRequest: Sendable {
        var entries: [LogEntry]
        var term: UInt64
        var continuation: CheckedContinuation<Result<Range<UInt64>, EventLogError>, Never>
    }

    /// Writer-owned position; mutated only on `writerQueue`, read by others through the mutex.
    struct Head: Sendable {
        var lastSequence: UInt64
        var term: UInt64
        var firstSequence: UInt64
    }

    struct Queue: Sendable {
        var pending: [AppendRequest] = []
        var drainScheduled = false
    }

    let environment: LMDBEnvironment
    let path: String
    private let writerQueue = DispatchQueue(label: "braid.eventlog.writer")
    private let queue = Mutex(Queue())
    let head: Mutex<Head>
    let notifier: CommitNotifier

    static let metaTermKey: UInt64 = 1
    static let metaFirstSequenceKey: UInt64 = 2

    public init(path: String, options: Options = Options()) throws(EventLogError) {
        self.path = path
        self.environment = try LMDBEnvironment(
            path: path, syncMode: options.syncMode,
            initialMapSize: options.initialMapSize, maxMapSize: max(options.maxMapSize, options.initialMapSize))
        _ = self.environment.clearStaleReaders()
        let env = self.environment
        let head = try env.read { txn throws(EventLogError) -> Head in
            let last = try txn.withCursor(env.events) { c throws(EventLogError) in try c.get(MDB_LAST)?.key ?? 0 }
            let term = try txn.withCursor(env.meta) { c throws(EventLogError) in
                try c.get(MDB_SET_KEY, key: Self.metaTermKey).map { UInt64(bigEndian: $0.value.loadUnaligned(as: UInt64.self)) } ?? 0
            }
            let first = try txn.withCursor(env.meta) { c throws(EventLogError) in
                try c.get(MDB_SET_KEY, key: Self.metaFirstSequenceKey).map { UInt64(bigEndian: $0.value.loadUnaligned(as: UInt64.self)) } ?? 1
            }
            // A log emptied behind a snapshot (or installed from one) holds no record: its last
            // sequence is the one before its first.
            return Head(lastSequence: max(last, first - 1), term: term, firstSequence: first)
        }
        self.head = Mutex(head)
        self.notifier = CommitNotifier(last: head.lastSequence)
    }

    public var currentTerm: UInt64 { self.head.withLock { $0.term } }
    public var lastSequence: UInt64 { self.head.withLock { $0.lastSequence } }
    public var firstSequence: UInt64 { self.head.withLock { $0.firstSequence } }

    // MARK: - Appending

    public func append(_ entries: [LogEntry], term: UInt64) async throws(EventLogError) -> Range<UInt64> {
        if entries.isEmpty {
            let next = self.lastSequence + 1
            return next..<next
        }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Range<UInt64>, EventLogError>, Never>) in
            let request = AppendRequest(entries: entries, term: term, continuation: continuation)
            let schedule = self.queue.withLock { queue -> Bool in
                queue.pending.append(request)
                if queue.drainScheduled { return false }
                queue.drainScheduled = true
                return true
            }
            if schedule { self.writerQueue.async { self.drain() } }
        }
        return try result.get()
    }

    public func beginTerm() async throws(EventLogError) -> UInt64 {
        try await self.onWriter { () throws(EventLogError) -> UInt64 in
            let next = self.head.withLock { $0.term } + 1
            try self.environment.write { txn throws(EventLogError) in
                try Self.putMeta(txn, self.environment.meta, key: Self.metaTermKey, value: next)
            }
            self.head.withLock { $0.term = next }
            return next
        }
    }

    /// Runs `body` on the writer queue (the only thread that opens write transactions).
    func onWriter<T: Sendable>(_ body: @escaping @Sendable () throws(EventLogError) -> T) async throws(EventLogError) -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, EventLogError>, Never>) in
            self.writerQueue.async {
                do throws(EventLogError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Commits everything queued as one transaction. Runs only on `writerQueue`.
    private func drain() {
        let batch = self.queue.withLock { queue -> [AppendRequest] in
            defer {
                queue.pending = []
                queue.drainScheduled = false
            }
            return queue.pending
        }
        guard !batch.isEmpty else { return }
        let outcome = self.commitGrowingMap(batch)
        switch outcome {
        case .success(let results):
            for (request, result) in zip(batch, results) { request.continuation.resume(returning: result) }
            self.notifier.publish(self.lastSequence)
        case .failure(let error):
            for request in batch { request.continuation.resume(returning: .failure(error)) }
        }
    }

    private func commitGrowingMap(_ batch: [AppendRequest]) -> Result<[Result<Range<UInt64>, EventLogError>], EventLogError> {
        while true {
            do throws(EventLogError) {
                return .success(try self.commit(batch))
            } catch where error.code == .mapFull {
                do throws(EventLogError) {
                    if try self.environment.grow() { continue }
                } catch {
                    return .failure(error)
                }
                return .failure(EventLogError(.mapFull, "the log reached its maximum map size of \(self.environment.maxMapSize) bytes; it stays readable"))
            } catch {
                return .failure(error)
            }
        }
    }

    private func commit(_ batch: [AppendRequest]) throws(EventLogError) -> [Result<Range<UInt64>, EventLogError>] {
        let start = self.head.withLock { $0 }
        let env = self.environment
        let (results, last, term) = try env.write { txn throws(EventLogError) -> ([Result<Range<UInt64>, EventLogError>], UInt64, UInt64) in
            var results: [Result<Range<UInt64>, EventLogError>] = []
            results.reserveCapacity(batch.count)
            var next = start.lastSequence + 1
            var term = start.term
            for request in batch {
                guard request.term >= term else {
                    results.append(.failure(EventLogError(.staleTerm, "append under term \(request.term) refused: the log is at term \(term)")))
                    continue
                }
                if request.term > term {
                    term = request.term
                    try Self.putMeta(txn, env.meta, key: Self.metaTermKey, value: term)
                }
                let first = next
                for entry in request.entries {
                    let record = LogRecord(sequence: next, term: term, timestamp: entry.timestamp, typeTag: entry.typeTag, payload: entry.payload)
                    let value = record.encodedValue()
                    try withBytes(value) { v throws(EventLogError) in try txn.put(env.events, key: next, value: v, append: true) }
                    next += 1
                }
                results.append(.success(first..<next))
            }
            return (results, next - 1, term)
        }
        self.head.withLock {
            $0.lastSequence = last
            $0.term = term
        }
        return results
    }

    static func putMeta(_ txn: borrowing WriteTransaction, _ dbi: MDB_dbi, key: UInt64, value: UInt64) throws(EventLogError) {
        var be = value.bigEndian
        try withUnsafeBytes(of: &be) { v throws(EventLogError) in try txn.put(dbi, key: key, value: v, append: false) }
    }

    // MARK: - Reading

    public func records(from sequence: UInt64, limit: Int) throws(EventLogError) -> [LogRecord] {
        var out: [LogRecord] = []
        guard limit > 0 else { return out }
        // Bounded by what is stored, not by this process's head: another process may be the writer.
        try self.forEachRecord(in: max(sequence, 1)...UInt64.max) { record throws(EventLogError) -> Bool in
            out.append(record)
            return out.count < limit
        }
        return out
    }

    public func forEachRecord(
        in range: ClosedRange<UInt64>, _ body: (LogRecord) throws(EventLogError) -> Bool
    ) throws(EventLogError) {
        try self.walk(range) { key, value throws(EventLogError) in try body(LogRecord(sequence: key, value: value)) }
    }

    public func forEachRawRecord(
        in range: ClosedRange<UInt64>, _ body: (RawLogRecord) throws(EventLogError) -> Bool
    ) throws(EventLogError) {
        try self.walk(range) { key, value throws(EventLogError) in try body(RawLogRecord(sequence: key, value: value)) }
    }

    /// One read transaction, one cursor over `range`; `body` sees each stored value in LMDB memory
    /// (valid only during the call) and returns false to stop.
    private func walk(
        _ range: ClosedRange<UInt64>, _ body: (UInt64, UnsafeRawBufferPointer) throws(EventLogError) -> Bool
    ) throws(EventLogError) {
        let env = self.environment
        try env.read { txn throws(EventLogError) in
            try txn.withCursor(env.events) { cursor throws(EventLogError) in
                var item = try cursor.get(MDB_SET_RANGE, key: range.lowerBound)
                while let (key, value) = item, key <= range.upperBound {
                    guard try body(key, value) else { return }
                    item = try cursor.get(MDB_NEXT)
                }
            }
        }
    }

    /// Pull-based: each `next()` reads on demand (a batch at a time) and waits for a commit at the
    /// end, so a reader that falls behind is never skipped past and nothing buffers without bound.
    public func tail(from sequence: UInt64) -> AsyncThrowingStream<LogRecord, any Error> {
        let cursor = TailCursor(next: max(sequence, 1))
        return AsyncThrowingStream(unfolding: {
            do {
                return try await cursor.next(in: self)
            } catch is CancellationError {
                return nil
            }
        })
    }
}

/// Where one `tail` reader is: the records read ahead of it (one batch) and the next sequence.
/// Used by one iterator at a time, as `AsyncThrowingStream(unfolding:)` calls it serially.
final class TailCursor: @unchecked Sendable {
    private var batch: [LogRecord] = []
    private var index = 0
    private var next: UInt64

    init(next: UInt64) { self.next = next }

    func next(in log: LMDBLog) async throws -> LogRecord? {
        while self.index == self.batch.count {
            try Task.checkCancellation()
            self.batch = try log.records(from: self.next, limit: 512)
            self.index = 0
            if self.batch.isEmpty { try await log.notifier.wait(after: self.next - 1) }
        }
        let record = self.batch[self.index]
        self.index += 1
        self.next = record.sequence + 1
        return record
    }
}
