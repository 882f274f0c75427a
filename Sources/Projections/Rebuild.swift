import BinaryCoding
import Dispatch
import Domain
import Optimism
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

    /// Folds the records `log` holds after this state's `lastSequence` (a warm standby following
    /// a mirror). Returns how many were applied. When the log no longer holds the next record (a
    /// mirror that installed a snapshot), the state is rebuilt from the log's snapshot instead.
    @discardableResult
    public mutating func catchUp(from log: some LogStore) throws(RebuildError) -> UInt64 {
        let before = self.lastSequence
        let last = log.lastSequence
        guard last > before else { return 0 }
        let first: UInt64
        do throws(EventLogError) { first = try log.firstSequence } catch {
            throw RebuildError(code: .storage, sequence: error.sequence, message: error.description)
        }
        if first > before + 1 {
            self = try Self.rebuild(from: log)
            return self.lastSequence - before
        }
        try Self.sequentialFold(&self, from: log, in: (before + 1)...last)
        return self.lastSequence - before
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

    /// The fold on three threads: one reads, checks and decodes batches of records (decoding is
    /// pure) and hands each batch to two folding threads, one for each group of concerns (see
    /// `ClusterState.evolveGroupA`). Each group still sees every event in log order, so the result
    /// equals the sequential fold. The reader checks for gaps, so both folds stop at the same record.
    /// At most `queueDepth` batches are in flight per folding thread, so memory stays bounded.
    static func pipelinedFold<Log: LogStore>(_ state: inout ClusterState, from log: Log, in range: ClosedRange<UInt64>) throws(RebuildError) {
        let toB = BatchQueue(depth: Self.queueDepth)
        let toA = BatchQueue(depth: Self.queueDepth)
        let groupA = GroupAFold(state)
        state.clearGroupA()
        let startAfter = state.lastSequence
        // Private serial queues are backed by their own (overcommit) threads, so this cannot
        // starve even when the caller occupies a cooperative-pool thread.
        DispatchQueue(label: "braid.rebuild.decode").async {
            Self.readAndDecode(log, in: range, after: startAfter, into: [toB, toA])
        }
        DispatchQueue(label: "braid.rebuild.fold").async { groupA.run(toA) }
        var failure: RebuildError?
        var finished = false
        while !finished {
            let batch = toB.pop()
            finished = batch.isLast
            for i in batch.events.indices {
                state.evolveGroupB(batch.events[i])
                state.advance(sequence: batch.sequences[i], timestamp: batch.timestamps[i])
            }
            failure = batch.failure
            toB.applied.withLock { $0.append(batch) }
        }
        groupA.done.wait()
        state.takeGroupA(from: groupA.take())
        if let failure { throw failure }
    }

    /// Group A's half of a two-thread fold; `state` is touched only by the folding thread until
    /// `done` is signalled.
    final class GroupAFold: @unchecked Sendable {
        private var state: ClusterState
        let done = DispatchSemaphore(value: 0)

        init(_ state: ClusterState) {
            self.state = state
            self.state.optimism = Optimism.State()  // group B's, folded elsewhere
        }

        func run(_ queue: BatchQueue) {
            var finished = false
            while !finished {
                let batch = queue.pop()
                finished = batch.isLast
                for event in batch.events { self.state.evolveGroupA(event) }
                queue.applied.withLock { $0.append(batch) }
            }
            self.done.signal()
        }

        func take() -> ClusterState { self.state }
    }

    static func readAndDecode<Log: LogStore>(_ log: Log, in range: ClosedRange<UInt64>, after startAfter: UInt64, into queues: [BatchQueue]) {
        let interner = StringInterner()
        var batch = Batch(capacity: Self.batchSize)
        var failure: RebuildError?
        var last = startAfter
        do throws(EventLogError) {
            try log.forEachRawRecord(in: range) { record in
                if last != 0, record.sequence != last + 1 {
                    failure = RebuildError(code: .sequenceGap, sequence: record.sequence, message: "expected \(last + 1)")
                    return false
                }
                do throws(BinaryDecodingError) {
                    batch.events.append(try Event(typeTag: record.typeTag, unsafePayload: record.payload, interner: interner))
                } catch {
                    failure = Self.undecodable(record.sequence, error)
                    return false
                }
                last = record.sequence
                batch.sequences.append(record.sequence)
                batch.timestamps.append(record.timestamp)
                if batch.events.count == Self.batchSize {
                    for queue in queues { queue.push(batch) }
                    batch = Batch(capacity: Self.batchSize)
                }
                return true
            }
        } catch {
            failure = RebuildError(code: .storage, sequence: error.sequence, message: error.description)
        }
        batch.failure = failure
        batch.isLast = true
        for queue in queues { queue.push(batch) }
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
