public import Domain
public import EventLog

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
        public init(snapshotEvery: UInt64 = 10_000) { self.snapshotEvery = snapshotEvery }
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

    private struct Pending {
        var command: ClusterCommand
        var now: Int64
        var continuation: CheckedContinuation<Result<[Event], Failure>, Never>
    }

    public let log: any LogStore
    public nonisolated let term: UInt64
    public private(set) var state: ClusterState
    private let options: Options
    private var pending: [Pending] = []
    private var draining = false
    private var lastSnapshot: UInt64

    /// Rebuilds the state from `log` and takes a new term, fencing any previous writer.
    public init(log: any LogStore, options: Options = Options()) async throws {
        self.log = log
        self.options = options
        let state = try ClusterState.rebuild(from: log)
        self.state = state
        self.lastSnapshot = (try? log.latestSnapshot(atOrBefore: UInt64.max)?.sequence) ?? 0
        self.term = try await log.beginTerm()
    }

    /// Decides, appends and applies `command`; returns the events it produced once they are durable.
    @discardableResult
    public func execute(_ command: ClusterCommand, now: Int64) async throws(Failure) -> [Event] {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[Event], Failure>, Never>) in
            self.pending.append(Pending(command: command, now: now, continuation: continuation))
            if !self.draining {
                self.draining = true
                Task { await self.drain() }
            }
        }
        return try result.get()
    }

    private func drain() async {
        while !self.pending.isEmpty {
            let batch = self.pending
            self.pending = []
            let before = self.state.lastSequence
            // Readers keep seeing the published state while the batch is appended; copy-on-write
            // makes this one copy per batch (not per command), amortized by group commit.
            var scratch = self.state
            var entries: [LogEntry] = []
            var outcomes: [Result<[Event], Failure>] = []
            for item in batch {
                do throws(ClusterError) {
                    let events = try ClusterEngine.run(item.command, on: &scratch, timestamp: item.now)
                    for event in events {
                        entries.append(LogEntry(typeTag: event.typeTag, payload: event.encodedPayload(), timestamp: item.now))
                    }
                    outcomes.append(.success(events))
                } catch {
                    outcomes.append(.failure(.rejected(error)))
                }
            }
            do throws(EventLogError) {
                let range = try await self.log.append(entries, term: self.term)
                if !entries.isEmpty, range.lowerBound != before + 1 {
                    // Someone else wrote to the log: our fold is stale. Refold from the log itself.
                    self.state = (try? ClusterState.rebuild(from: self.log)) ?? scratch
                } else {
                    self.state = scratch
                }
                for (item, outcome) in zip(batch, outcomes) { item.continuation.resume(returning: outcome) }
            } catch {
                // Nothing was appended, so the published state stays as it was.
                for item in batch { item.continuation.resume(returning: .failure(.storage(error))) }
            }
            await self.snapshotIfDue()
        }
        self.draining = false
    }

    private func snapshotIfDue() async {
        guard self.options.snapshotEvery > 0, self.state.lastSequence >= self.lastSnapshot + self.options.snapshotEvery else { return }
        let snapshot = SnapshotRecord(sequence: self.state.lastSequence, version: ClusterState.snapshotVersion, state: self.state.snapshotBytes())
        if (try? await self.log.writeSnapshot(snapshot)) != nil {
            self.lastSnapshot = snapshot.sequence
        }
    }

    /// Writes a snapshot of the current state now.
    public func snapshotNow() async throws(EventLogError) {
        let snapshot = SnapshotRecord(sequence: self.state.lastSequence, version: ClusterState.snapshotVersion, state: self.state.snapshotBytes())
        try await self.log.writeSnapshot(snapshot)
        self.lastSnapshot = snapshot.sequence
    }
}
