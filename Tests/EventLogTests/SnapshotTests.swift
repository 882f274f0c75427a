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
}
