import BinaryCoding
import Dispatch
import Domain
public import EventLog
import Synchronization

/// Why a projection could not be rebuilt.
public struct RebuildError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable { case storage, undecodableEvent, sequenceGap }
    public var code: Code
    public var sequence: UInt64?
    public var message: String

    public var description: String {
        "\(self.code)\(self.sequence.map { " at sequence \($0)" } ?? ""): \(self.message)"
    }
}

extension ClusterState {
    /// Below this many records the fold runs on the calling thread; above, reading and decoding
    /// run on a second thread while this one applies (see `pipelinedFold`).
    static let pipelineThreshold: UInt64 = 4096

    /// The state after every record up to `target` (the whole log when nil): the newest usable
    /// snapshot at or before it, then the records after the snapshot.
    public static func rebuild(from log: some LogStore, through target: UInt64? = nil, useSnapshots: Bool = true) throws(RebuildError) -> ClusterState {
        let end = target ?? UInt64.max
        var state = ClusterState()
        let first: UInt64
        do throws(EventLogError) {
            if useSnapshots, let snapshot = try log.latestSnapshot(atOrBefore: end), snapshot.version == Self.snapshotVersion,
               let decoded = try? ClusterState(snapshotBytes: snapshot.state) {
                state = decoded
            }
            first = max(state.lastSequence + 1, try log.firstSequence)
        } catch {
            throw RebuildError(code: .storage, sequence: error.sequence, message: error.description)
        }
        guard first <= end else { return state }
        let last = min(end, log.lastSequence)
        if last >= first, last - first >= Self.pipelineThreshold {
            try Self.pipelinedFold(&state, from: log, in: first...end)
        } else {
            try Self.sequentialFold(&state, from: log, in: first...end)
        }
        return state
    }

    /// The gap check every fold makes before applying `sequence`.
    @inline(__always)
    static func checkNext(_ state: ClusterState, _ sequence: UInt64) -> RebuildError? {
        guard state.lastSequence != 0, sequence != state.lastSequence + 1 else { return nil }
        return RebuildError(code: .sequenceGap, sequence: sequence, message: "expected \(state.lastSequence + 1)")
    }

    static func undecodable(_ sequence: UInt64, _ error: BinaryDecodingError) -> RebuildError {
        RebuildError(code: .undecodableEvent, sequence: sequence, message: "\(Result<Event, BinaryDecodingError>.failure(error))")
    }

    static func sequentialFold(_ state: inout ClusterState, from log: some LogStore, in range: ClosedRange<UInt64>) throws(RebuildError) {
        var failure: RebuildError?
        let interner = StringInterner()
        do throws(EventLogError) {
            try log.forEachRawRecord(in: range) { record in
                if let gap = Self.checkNext(state, record.sequence) {
                    failure = gap
                    return false
                }
                let event: Event
                do throws(BinaryDecodingError) {
                    event = try Event(typeTag: record.typeTag, unsafePayload: record.payload, interner: interner)
                } catch {
                    failure = Self.undecodable(record.sequence, error)
                    return false
                }
                state.apply(event, sequence: record.sequence, timestamp: record.timestamp)
                return true
            }
        } catch {
            throw RebuildError(code: .storage, sequence: error.sequence, message: error.description)
        }
        if let failure { throw failure }
    }

    /// Decoded records handed from the reading thread to the folding one.
    struct Batch: Sendable {
        var sequences: [UInt64] = []
        var timestamps: [Int64] = []
        var events: [Event] = []
        /// Set on the last batch: why reading stopped early (nil when the range was exhausted).
        var failure: RebuildError?
        var isLast = false

        init(capacity: Int) {
            self.sequences.reserveCapacity(capacity)
            self.timestamps.reserveCapacity(capacity)
            self.events.reserveCapacity(capacity)
        }
    }

    /// A bounded single-producer single-consumer queue of batches.
    final class BatchQueue: Sendable {
        let slots: DispatchSemaphore
        let items = DispatchSemaphore(value: 0)
        let queue = Mutex<[Batch]>([])
        let cancelled = Atomic<Bool>(false)
        /// Applied batches, handed back so the reading thread (which has time to spare) frees the
        /// events instead of the folding thread.
        let applied = Mutex<[Batch]>([])

        init(depth: Int) { self.slots = DispatchSemaphore(value: depth) }

        func push(_ batch: Batch) {
            // Drop what the fold is done with here, on the reading thread.
            let done = self.applied.withLock { applied -> [Batch] in
                defer { applied = [] }
                return applied
            }
            _ = consume done
            self.slots.wait()
            self.queue.withLock { $0.append(batch) }
            self.items.signal()
        }

        func pop() -> Batch {
            self.items.wait()
            let batch = self.queue.withLock { $0.removeFirst() }
            self.slots.signal()
            return batch
        }
    }

    static let batchSize = 1024
    static let queueDepth = 4

    /// The fold, with storage reads, checksums and decoding on a second thread: decoding is pure,
    /// so only `apply` has to stay sequential, and it still sees every event in log order. At most
    /// `queueDepth` batches are in flight, so memory stays bounded.
    static func pipelinedFold<Log: LogStore>(_ state: inout ClusterState, from log: Log, in range: ClosedRange<UInt64>) throws(RebuildError) {
        let queue = BatchQueue(depth: Self.queueDepth)
        // A private serial queue is backed by its own (overcommit) thread, so this cannot starve
        // even when the caller occupies a cooperative-pool thread.
        DispatchQueue(label: "braid.rebuild.decode").async {
            Self.readAndDecode(log, in: range, into: queue)
        }
        var failure: RebuildError?
        var finished = false
        while !finished {
            let batch = queue.pop()
            finished = batch.isLast
            if failure == nil {
                for i in batch.events.indices {
                    let sequence = batch.sequences[i]
                    if let gap = Self.checkNext(state, sequence) {
                        failure = gap
                        // Stop the reader; keep draining so it can push its last batch and exit.
                        queue.cancelled.store(true, ordering: .relaxed)
                        break
                    }
                    state.apply(batch.events[i], sequence: sequence, timestamp: batch.timestamps[i])
                }
                if failure == nil { failure = batch.failure }
            }
            queue.applied.withLock { $0.append(batch) }
        }
        if let failure { throw failure }
    }

    static func readAndDecode<Log: LogStore>(_ log: Log, in range: ClosedRange<UInt64>, into queue: BatchQueue) {
        let interner = StringInterner()
        var batch = Batch(capacity: Self.batchSize)
        var failure: RebuildError?
        do throws(EventLogError) {
            try log.forEachRawRecord(in: range) { record in
                if queue.cancelled.load(ordering: .relaxed) { return false }
                do throws(BinaryDecodingError) {
                    batch.events.append(try Event(typeTag: record.typeTag, unsafePayload: record.payload, interner: interner))
                } catch {
                    failure = Self.undecodable(record.sequence, error)
                    return false
                }
                batch.sequences.append(record.sequence)
                batch.timestamps.append(record.timestamp)
                if batch.events.count == Self.batchSize {
                    queue.push(batch)
                    batch = Batch(capacity: Self.batchSize)
                }
                return true
            }
        } catch {
            failure = RebuildError(code: .storage, sequence: error.sequence, message: error.description)
        }
        batch.failure = failure
        batch.isLast = true
        queue.push(batch)
    }

    /// The sequence of the last record whose timestamp is at or before `time` (ms), for time travel.
    public static func lastSequence(in log: some LogStore, atOrBefore time: Int64) throws(EventLogError) -> UInt64 {
        var found: UInt64 = 0
        try log.forEachRawRecord(in: try log.firstSequence...UInt64.max) { record in
            guard record.timestamp <= time else { return false }
            found = record.sequence
            return true
        }
        return found
    }
}
