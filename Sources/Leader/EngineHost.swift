public import Domain
public import EventLog
public import Projections
import Synchronization

/// The leader loop's core: the only writer of the log.
///
/// Commands queue up; the loop takes every queued command, decides each against the state as
/// evolved by the ones before it, appends all resulting events in one group commit under the
/// leader's term, and only then publishes the new state and answers the callers. Commands are
/// therefore serialized by construction (no Info/Operation races, dm#1253) while concurrent
/// callers still share one fsync.
public actor EngineHost {
    public struct Options: Sendable {
        /// A snapshot is written after this many events since the last one (0 disables).
        public var snapshotEvery: UInt64
        /// A group commit closes after the command that brings it to this many bytes, so a batch
        /// stays one etcd chunk (1 MiB) in HA mode and no command is split across two appends.
        public var maxBatchBytes: Int
        public init(snapshotEvery: UInt64 = 10_000, maxBatchBytes: Int = 512 << 10) {
            self.snapshotEvery = snapshotEvery
            self.maxBatchBytes = maxBatchBytes
        }
    }

    /// Why `execute` failed: the command was refused, or the log refused the append.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case rejected(ClusterError)
        case storage(EventLogError)

        public var description: String {
            switch self {
            case .rejected(let e): "rejected: \(e)"
            case .storage(let e): "log: \(e)"
            }
        }
    }

    /// What one command appended: its events and the sequence of the first (0 when none).
    public struct Appended: Sendable {
        public var events: [Event]
        public var firstSequence: UInt64
    }

    private struct Pending {
        var command: ClusterCommand
        var now: Int64
        var continuation: CheckedContinuation<Result<Appended, Failure>, Never>
    }

    /// Which appended events a waiter cares about (see `waitForChange(after:concerning:)`).
    public typealias ChangeFilter = @Sendable (Event) -> Bool

    /// A caller of `waitForChange(after:concerning:)`, resumed once the published state passes
    /// `after` with an event its filter accepts.
    private struct Waiter {
        var after: UInt64
        var concerns: ChangeFilter?
        var continuation: CheckedContinuation<Void, Never>
    }

    public nonisolated let log: any LogStore
    public nonisolated let term: UInt64
    public private(set) var state: ClusterState
    private let options: Options
    private var pending: [Pending] = []
    /// A drain is under way (one group commit at a time).
    private var draining = false
    /// A pump is scheduled (pipelined group commits).
    private var pumpScheduled = false
    /// The log when it can take several appends in flight (HA), with the state they lead to.
    private nonisolated let pipeline: (any PipelinedLogStore)?
    private var inFlight: [InFlight] = []
    private var speculative: ClusterState?
    private var poisoned = false
    private var nextFlightID: UInt64 = 0
    private var snapshotting = false
    /// The most group commits ever in flight at once (1 unless the log pipelines).
    public private(set) var deepestPipeline = 0
    private var lastSnapshot: UInt64
    private var waiters: [UInt64: Waiter] = [:]
    /// The events of recent commits, oldest first, so a watcher coming back with an older sequence
    /// can tell whether anything since then concerns it without reading the log. Every event after
    /// `recentFloor` is here.
    private var recentCommits: [(through: UInt64, events: [Event])] = []
    private var recentEventCount = 0
    private var recentFloor: UInt64
    private static let recentLimit = 4_096
    /// Waiter ids are taken outside the actor so a cancellation handler knows which one to drop.
    private nonisolated let nextWaiterID = Atomic<UInt64>(0)

    /// Rebuilds the state from `log` and takes a new term, fencing any previous writer.
    public init(log: any LogStore, options: Options = Options()) async throws {
        let state = try ClusterState.rebuild(from: log)
        let term = try await log.beginTerm()
        self.init(log: log, rebuilt: state, term: term, options: options)
    }

    /// Rebuilds the state from `log` and writes under `term`, a term an elector already won
    /// (`LogStore.beginTerm()` for the embedded elector, the election's term with etcd), so the
    /// term that fences appends is the one the rest of the master advertises.
    public init(log: any LogStore, term: UInt64, options: Options = Options()) throws {
        let state = try ClusterState.rebuild(from: log)
        self.init(log: log, rebuilt: state, term: term, options: options)
    }

    /// Takes over with `state`, already folded from `log` through its last record (a warm standby
    /// in HA mode), so a failover does not pay for a rebuild.
    public init(log: any LogStore, warm state: ClusterState, term: UInt64, options: Options = Options()) {
        self.init(log: log, rebuilt: state, term: term, options: options)
    }

    private init(log: any LogStore, rebuilt state: ClusterState, term: UInt64, options: Options) {
        self.log = log
        self.pipeline = (log as? any PipelinedLogStore).flatMap { $0.pipelineDepth > 1 ? $0 : nil }
        self.options = options
        self.state = state
        self.lastSnapshot = (try? log.latestSnapshot(atOrBefore: UInt64.max)?.sequence) ?? 0
        self.term = term
        self.recentFloor = state.lastSequence
    }

    /// Why this leader stopped (records it did not write appeared in its log); nil while it leads.
    public private(set) var lostReason: String?
    private var lostHandler: (@Sendable (String) -> Void)?

    /// Called once if this leader stops because its log diverged from its fold.
    public func onLost(_ handler: @escaping @Sendable (String) -> Void) {
        self.lostHandler = handler
        if let why = self.lostReason { handler(why) }
    }

    private func lose(_ why: String) {
        guard self.lostReason == nil else { return }
        self.lostReason = why
        self.lostHandler?(why)
        let error = EventLogError(.diverged, "this leader stopped: \(why)")
        let pending = self.pending
        self.pending = []
        for item in pending { item.continuation.resume(returning: .failure(.storage(error))) }
    }

    /// Decides, appends and applies `command`; returns the events it produced once they are durable.
    @discardableResult
    public func execute(_ command: ClusterCommand, now: Int64) async throws(Failure) -> [Event] {
        try await self.submit(command, now: now).events
    }

    /// Like `execute`, and also says where the events landed in the log (for API answers).
    public func submit(_ command: ClusterCommand, now: Int64) async throws(Failure) -> Appended {
        if let why = self.lostReason { throw .storage(EventLogError(.diverged, "this leader stopped: \(why)")) }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Appended, Failure>, Never>) in
            self.pending.append(Pending(command: command, now: now, continuation: continuation))
            if self.pipeline != nil {
                // Commands arriving together share one pump (and one group commit); one arriving
                // while appends are in flight goes out at once if the pipeline has room.
                if !self.pumpScheduled {
                    self.pumpScheduled = true
                    Task { self.pump() }
                }
            } else if !self.draining {
                self.draining = true
                Task { await self.drain() }
            }
        }
        return try result.get()
    }

    /// One group commit, decided but not yet durable.
    private struct Decided {
        var batch: [Pending]
        var entries: [LogEntry]
        var outcomes: [Result<Appended, Failure>]
        /// The state once these entries are durable.
        var after: ClusterState
    }

    /// Takes the next group commit from `pending`, deciding each command against `base` as evolved
    /// by the ones before it, and closing at a command boundary past `maxBatchBytes`.
    private func decideNext(on base: ClusterState) -> Decided {
        // Readers keep seeing the published state while the batch is appended; copy-on-write
        // makes this one copy per batch (not per command), amortized by group commit.
        var scratch = base
        var entries: [LogEntry] = []
        var bytes = 0
        var outcomes: [Result<Appended, Failure>] = []
        for item in self.pending {
            do throws(ClusterError) {
                let offset = UInt64(entries.count)
                let events = try ClusterEngine.run(item.command, on: &scratch, timestamp: item.now)
                for event in events {
                    let entry = LogEntry(typeTag: event.typeTag, payload: event.encodedPayload(), timestamp: item.now)
                    bytes += entry.payload.count + 14
                    entries.append(entry)
                }
                // Provisional: relative to the batch start, fixed up once the append says where it landed.
                outcomes.append(.success(Appended(events: events, firstSequence: events.isEmpty ? 0 : offset)))
            } catch {
                outcomes.append(.failure(.rejected(error)))
            }
            // Cut at a command boundary; the rest waits for the next group commit.
            if bytes >= self.options.maxBatchBytes { break }
        }
        let batch = Array(self.pending.prefix(outcomes.count))
        self.pending.removeFirst(outcomes.count)
        return Decided(batch: batch, entries: entries, outcomes: outcomes, after: scratch)
    }

    /// Publishes a group commit the log took (or fails it) and answers its callers. Group commits
    /// settle in the order they were decided.
    private func settle(_ decided: Decided, _ appended: Result<Range<UInt64>, EventLogError>) {
        let before = self.state.lastSequence
        switch appended {
        case .success(let range):
            // What waiters are told about; `nil` (a refold) wakes them all.
            var events: [Event]? = []
            if !decided.entries.isEmpty, range.lowerBound != before + 1 {
                // Someone else wrote to the log, which no fence should allow: this leader's fold no
                // longer describes the log. It stops leading rather than guess (the batch is in the
                // log, so its callers learn the outcome is in doubt).
                let why = "the log holds records \(before + 1)..<\(range.lowerBound) this leader did not write"
                self.lose(why)
                let error = EventLogError(.diverged, why + "; the batch landed at \(range.lowerBound) and this leader stopped", sequence: before + 1)
                for item in decided.batch { item.continuation.resume(returning: .failure(.storage(error))) }
                return
            } else {
                self.state = decided.after
                for case .success(let result) in decided.outcomes { events?.append(contentsOf: result.events) }
                if let events, !events.isEmpty { self.remember(events, through: self.state.lastSequence) }
            }
            for (item, outcome) in zip(decided.batch, decided.outcomes) {
                let placed = outcome.map { appended in
                    var appended = appended
                    if !appended.events.isEmpty { appended.firstSequence += range.lowerBound }
                    return appended
                }
                item.continuation.resume(returning: placed)
            }
            self.wakeWaiters(events)
        case .failure(let error):
            // Nothing was appended, so the published state stays as it was.
            for item in decided.batch { item.continuation.resume(returning: .failure(.storage(error))) }
        }
    }

    /// One group commit at a time: decide, append, publish.
    private func drain() async {
        while !self.pending.isEmpty {
            let decided = self.decideNext(on: self.state)
            let appended: Result<Range<UInt64>, EventLogError>
            do throws(EventLogError) {
                appended = .success(try await self.log.append(decided.entries, term: self.term))
            } catch {
                appended = .failure(error)
            }
            self.settle(decided, appended)
            await self.snapshotIfDue()
        }
        self.draining = false
    }

    // MARK: - Pipelined group commits (HA)

    /// A group commit sent to a pipelined log and not yet settled.
    private struct InFlight {
        var id: UInt64
        var decided: Decided
        var result: Result<Range<UInt64>, EventLogError>?
    }

    /// Several group commits in flight at once (`PipelinedLogStore`): each is decided against the
    /// state after the ones before it, sent at once, and settled in order. When one fails, the
    /// ones decided after it fail too (their decisions assumed it), and deciding resumes from the
    /// published state once all have returned.
    private func pump() {
        self.pumpScheduled = false
        guard let pipeline = self.pipeline else { return }
        var progressed = true
        while progressed {
            progressed = false
            while let first = self.inFlight.first, let result = first.result {
                self.inFlight.removeFirst()
                progressed = true
                if self.poisoned {
                    self.settle(first.decided, .failure(EventLogError(.unavailable, "an earlier group commit failed; retry")))
                    continue
                }
                if case .failure = result { self.poisoned = true }
                self.settle(first.decided, result)
            }
            if self.inFlight.isEmpty {
                self.speculative = nil
                if self.poisoned {
                    self.poisoned = false
                    pipeline.resetPipeline()
                }
            }
            while !self.pending.isEmpty, !self.poisoned, self.inFlight.count < pipeline.pipelineDepth {
                let decided = self.decideNext(on: self.speculative ?? self.state)
                let id = self.nextFlightID
                self.nextFlightID += 1
                self.speculative = decided.after
                var flight = InFlight(id: id, decided: decided, result: nil)
                if decided.entries.isEmpty {
                    let next = (self.speculative?.lastSequence ?? self.state.lastSequence) + 1
                    flight.result = .success(next..<next)
                    progressed = true
                } else {
                    do throws(EventLogError) {
                        let ticket = try pipeline.reserve(decided.entries, term: self.term)
                        Task {
                            let result: Result<Range<UInt64>, EventLogError>
                            do throws(EventLogError) { result = .success(try await ticket.commit()) } catch { result = .failure(error) }
                            self.finished(id, result)
                        }
                    } catch {
                        flight.result = .failure(error)
                        progressed = true
                    }
                }
                self.inFlight.append(flight)
                self.deepestPipeline = max(self.deepestPipeline, self.inFlight.count)
            }
        }
        if self.inFlight.isEmpty, self.pending.isEmpty {
            Task { await self.snapshotIfDue() }
        }
    }

    private func finished(_ id: UInt64, _ result: Result<Range<UInt64>, EventLogError>) {
        if let index = self.inFlight.firstIndex(where: { $0.id == id }) { self.inFlight[index].result = result }
        self.pump()
    }

    // MARK: - Waiting for changes (long polls)

    /// Returns once the published state's `lastSequence` is past `sequence`, or when the calling
    /// task is cancelled (a long poll's timeout cancels it). Watchers use this instead of polling.
    ///
    /// With `concerning`, only an event the filter accepts wakes the caller, so a watcher is not
    /// woken by every append (one per worker per append was the cost of the lock round trip). Events
    /// already committed after `sequence` count too, as far as the recent-commit memory reaches;
    /// past it, the call returns at once.
    public func waitForChange(after sequence: UInt64, concerning filter: ChangeFilter? = nil) async {
        let id = self.nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled || self.hasChange(after: sequence, concerning: filter) {
                    continuation.resume()
                } else {
                    self.waiters[id] = Waiter(after: sequence, concerns: filter, continuation: continuation)
                }
            }
        } onCancel: {
            // The handler cannot hop onto the actor synchronously; dropping the waiter later is
            // safe because a waiter registered after cancellation resumes at once (above).
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Whether an event after `sequence` is accepted by `filter` (any event without a filter). Older
    /// than the recent-commit memory means "yes": the caller rebuilds and compares.
    public func hasChange(after sequence: UInt64, concerning filter: ChangeFilter? = nil) -> Bool {
        guard self.state.lastSequence > sequence else { return false }
        guard let filter, sequence >= self.recentFloor else { return true }
        for commit in self.recentCommits.reversed() {
            guard commit.through > sequence else { break }
            if commit.events.contains(where: filter) { return true }
        }
        return false
    }

    private func remember(_ events: [Event], through last: UInt64) {
        self.recentCommits.append((last, events))
        self.recentEventCount += events.count
        var drop = 0
        while self.recentEventCount > Self.recentLimit, drop < self.recentCommits.count - 1 {
            self.recentEventCount -= self.recentCommits[drop].events.count
            self.recentFloor = self.recentCommits[drop].through
            drop += 1
        }
        if drop > 0 { self.recentCommits.removeFirst(drop) }
    }

    private func cancelWaiter(_ id: UInt64) {
        self.waiters.removeValue(forKey: id)?.continuation.resume()
    }

    /// - Parameter events: what the commit appended; `nil` wakes every waiter.
    private func wakeWaiters(_ events: [Event]?) {
        let last = self.state.lastSequence
        for (id, waiter) in self.waiters where waiter.after < last {
            if let filter = waiter.concerns, let events, !events.contains(where: filter) { continue }
            self.waiters.removeValue(forKey: id)
            waiter.continuation.resume()
        }
    }

    private func snapshotIfDue() async {
        guard self.lostReason == nil, !self.snapshotting, self.options.snapshotEvery > 0, self.state.lastSequence >= self.lastSnapshot + self.options.snapshotEvery else { return }
        self.snapshotting = true
        defer { self.snapshotting = false }
        let snapshot = self.state.snapshotRecord()
        if (try? await self.log.writeSnapshot(snapshot)) != nil {
            self.lastSnapshot = snapshot.sequence
        }
    }

    /// Writes a snapshot of the current state now.
    public func snapshotNow() async throws(EventLogError) {
        let snapshot = self.state.snapshotRecord()
        try await self.log.writeSnapshot(snapshot)
        self.lastSnapshot = snapshot.sequence
    }
}
