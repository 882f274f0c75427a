import BraidTestSupport
import Domain
import EventLog
import Leader
import Projections
import Synchronization
import Testing

/// Group commits close at a command boundary once they reach `maxBatchBytes`, so no command's
/// events are ever split across two appends (in HA mode each append is one fenced etcd txn).
@Suite struct EngineHostBatchTests {
    /// A real LMDB log that remembers each append's entries (a spy) and, for fault injection (a
    /// mock, named so), can let "another writer" append one record just before the next batch,
    /// which no real fence allows.
    final class SpyLogWithInterleavingWriterMock: LogStore {
        let base: LMDBLog
        let appends = Mutex<[[LogEntry]]>([])
        let intrude = Mutex(false)
        init(_ base: LMDBLog) { self.base = base }

        func append(_ entries: [LogEntry], term: UInt64) async throws(EventLogError) -> Range<UInt64> {
            if self.intrude.withLock({ let now = $0; $0 = false; return now }) {
                _ = try await self.base.append([LogEntry(typeTag: 0x0801, payload: [1], timestamp: 0)], term: term)
            }
            if !entries.isEmpty { self.appends.withLock { $0.append(entries) } }
            return try await self.base.append(entries, term: term)
        }
        func beginTerm() async throws(EventLogError) -> UInt64 { try await self.base.beginTerm() }
        var currentTerm: UInt64 { self.base.currentTerm }
        var lastSequence: UInt64 { self.base.lastSequence }
        var firstSequence: UInt64 { self.base.firstSequence }
        func records(from sequence: UInt64, limit: Int) throws(EventLogError) -> [LogRecord] { try self.base.records(from: sequence, limit: limit) }
        func forEachRecord(in range: ClosedRange<UInt64>, _ body: (LogRecord) throws(EventLogError) -> Bool) throws(EventLogError) {
            try self.base.forEachRecord(in: range, body)
        }
        func tail(from sequence: UInt64) -> AsyncThrowingStream<LogRecord, any Error> { self.base.tail(from: sequence) }
        func writeSnapshot(_ snapshot: SnapshotRecord) async throws(EventLogError) { try await self.base.writeSnapshot(snapshot) }
        func latestSnapshot(atOrBefore sequence: UInt64) throws(EventLogError) -> SnapshotRecord? { try self.base.latestSnapshot(atOrBefore: sequence) }
    }

    @Test func aGroupCommitClosesAtACommandBoundaryPastTheByteLimit() async throws {
        try await withTemporaryDirectory("batches") { dir in
            let log = SpyLogWithInterleavingWriterMock(try LMDBLog(path: dir, options: .init(syncMode: .noSync)))
            let limit = 600
            let host = try await EngineHost(log: log, options: .init(snapshotEvery: 0, maxBatchBytes: limit))
            // 60 commands queued together, each one event of about 200 bytes, told apart by timestamp.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<60 {
                    group.addTask {
                        let member = String(repeating: "m", count: 180) + "\(i)"
                        try await host.execute(.record(.leader(.elected(term: 1, member: member, at: Int64(i)))), now: Int64(1_000 + i))
                    }
                }
                try await group.waitForAll()
            }
            let appends = log.appends.withLock { $0 }
            #expect(appends.reduce(0) { $0 + $1.count } == 60)
            #expect(appends.count >= 60 * 200 / (limit + 200), "the batches were cut: \(appends.map(\.count))")
            var seen: Set<Int64> = []
            for batch in appends {
                let bytes = batch.reduce(0) { $0 + $1.payload.count + 14 }
                let largest = batch.map { $0.payload.count + 14 }.max() ?? 0
                #expect(bytes < limit + largest, "a batch of \(bytes) bytes went past the limit by more than one command")
                let commands = Set(batch.map(\.timestamp))
                #expect(seen.isDisjoint(with: commands), "a command's events were split across appends")
                seen.formUnion(commands)
            }
        }
    }
}

extension EngineHostBatchTests {
    /// Issue 11: records the leader did not write appear in its log (a gap in its own sequence):
    /// its fold no longer describes the log, so it stops leading and says why, instead of
    /// refolding and carrying on.
    @Test func aLeaderThatFindsRecordsItDidNotWriteStopsLeading() async throws {
        try await withTemporaryDirectory("gap") { dir in
            let log = SpyLogWithInterleavingWriterMock(try LMDBLog(path: dir, options: .init(syncMode: .noSync)))
            let lost = Mutex<String?>(nil)
            let host = try await EngineHost(log: log, options: .init(snapshotEvery: 0))
            await host.onLost { why in lost.withLock { $0 = why } }
            try await host.execute(.record(.leader(.elected(term: 1, member: "a", at: 0))), now: 0)
            log.intrude.withLock { $0 = true }
            await #expect(throws: EngineHost.Failure.self) {
                try await host.execute(.record(.leader(.elected(term: 1, member: "b", at: 0))), now: 0)
            }
            #expect(lost.withLock { $0 }?.contains("did not write") == true)
            // Nothing more is appended under this leader.
            let last = log.lastSequence
            await #expect(throws: EngineHost.Failure.self) {
                try await host.execute(.record(.leader(.elected(term: 1, member: "c", at: 0))), now: 0)
            }
            #expect(log.lastSequence == last)
        }
    }
}
