import BraidTestSupport
import EventLog
import Testing

@Suite struct SnapshotTests {
    @Test func latestSnapshotAtOrBeforeFindsTheRightOne() async throws {
        try await withTemporaryLog { log, _ in
            _ = try await log.append((1...30).map { entry("\($0)") }, term: 1)
            for seq: UInt64 in [10, 20] {
                try await log.writeSnapshot(SnapshotRecord(sequence: seq, version: 1, state: Array("state@\(seq)".utf8)))
            }
            #expect(try log.latestSnapshot(atOrBefore: 9) == nil)
            #expect(try log.latestSnapshot(atOrBefore: 10)?.sequence == 10)
            #expect(try log.latestSnapshot(atOrBefore: 19)?.sequence == 10)
            #expect(try log.latestSnapshot(atOrBefore: 25)?.state == Array("state@20".utf8))
            #expect(try log.latestSnapshot(atOrBefore: 1_000)?.sequence == 20)
        }
    }

    @Test func truncationNeedsACoveringSnapshot() async throws {
        try await withTemporaryLog { log, _ in
            _ = try await log.append((1...30).map { entry("\($0)") }, term: 1)
            do throws(EventLogError) {
                try await log.truncate(before: 11)
                Issue.record("truncation without a snapshot succeeded")
            } catch {
                #expect(error.code == .truncationNotCovered)
            }
            #expect(try log.records(from: 1, limit: 1).first?.sequence == 1)

            try await log.writeSnapshot(SnapshotRecord(sequence: 10, version: 1, state: [1, 2, 3]))
            try await log.truncate(before: 11)
            #expect(log.firstSequence == 11)
            #expect(try log.records(from: 1, limit: 1).first?.sequence == 11)
            let report = try log.verify()
            #expect(report.isSound)
            #expect(report.recordCount == 20)
        }
    }

    /// A mirror behind records its source has dropped replaces its records with the source's
    /// snapshot; reopened, it still knows where it ends (no records, last = snapshot).
    @Test func installingASnapshotEmptiesTheLogAndItContinuesAfterItAcrossReopen() async throws {
        try await withTemporaryDirectory("install") { dir in
            do {
                let log = try LMDBLog(path: dir, options: .init(syncMode: .durable))
                _ = try await log.append((1...12).map { entry("\($0)") }, term: 2)
                await #expect(throws: EventLogError.self) {
                    try await log.installSnapshot(SnapshotRecord(sequence: 11, version: 1, state: [9]), term: 3)
                }
                #expect(log.lastSequence == 12, "a snapshot older than the log's end is refused and nothing is dropped")
                try await log.installSnapshot(SnapshotRecord(sequence: 40, version: 1, state: [4, 0]), term: 3)
                #expect(log.firstSequence == 41)
                #expect(log.lastSequence == 40)
                #expect(log.currentTerm == 3)
                #expect(try log.records(from: 1, limit: 10).isEmpty)
                #expect(try log.latestSnapshot(atOrBefore: .max)?.state == [4, 0])
            }
            let reopened = try LMDBLog(path: dir)
            #expect(reopened.firstSequence == 41)
            #expect(reopened.lastSequence == 40)
            #expect(try await reopened.append([entry("next")], term: 3) == 41..<42)
            let report = try reopened.verify()
            #expect(report.isSound, "\(report)")
        }
    }
}
