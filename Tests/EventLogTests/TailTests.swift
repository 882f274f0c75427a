import BraidTestSupport
import EventLog
import Synchronization
import Testing

@Suite struct TailTests {
    @Test func tailerSeesExistingThenNewRecordsInOrder() async throws {
        try await withTemporaryLog { log, _ in
            _ = try await log.append([entry("1"), entry("2")], term: 1)
            let received = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                group.addTask {
                    var seen: [UInt64] = []
                    for try await record in log.tail(from: 1) {
                        seen.append(record.sequence)
                        if seen.count == 5 { break }
                    }
                    return seen
                }
                group.addTask {
                    // The tailer is woken by commits; these appends happen after it subscribed or not,
                    // either way it must see them.
                    for i in 3...5 { _ = try await log.append([entry("\(i)")], term: 1) }
                    return []
                }
                var all: [UInt64] = []
                for try await part in group { all += part }
                return all
            }
            #expect(received == [1, 2, 3, 4, 5])
        }
    }

    @Test func tailFromTheMiddleSkipsEarlierRecords() async throws {
        try await withTemporaryLog { log, _ in
            _ = try await log.append((1...10).map { entry("\($0)") }, term: 1)
            var seen: [UInt64] = []
            for try await record in log.tail(from: 8) {
                seen.append(record.sequence)
                if seen.count == 3 { break }
            }
            #expect(seen == [8, 9, 10])
        }
    }

    @Test func cancellingAWaitingTailerEndsIt() async throws {
        try await withTemporaryLog { log, _ in
            let task = Task {
                var count = 0
                for try await _ in log.tail(from: 1) { count += 1 }
                return count
            }
            task.cancel()
            let count = try await task.value
            #expect(count == 0)
        }
    }

    /// Issue 11: a reader that falls behind must never skip records. The old tail buffered the
    /// newest 4,096 and silently dropped older ones once a reader lagged.
    @Test func aTailerThatFallsBehindStillSeesEveryRecordInOrder() async throws {
        try await withTemporaryLog { log, _ in
            let stream = log.tail(from: 1)
            // 20,000 records arrive while nobody reads the stream.
            for batch in 0..<40 {
                _ = try await log.append((0..<500).map { entry("\(batch)-\($0)") }, term: 1)
            }
            var expected: UInt64 = 1
            for try await record in stream {
                #expect(record.sequence == expected, "skipped from \(expected) to \(record.sequence)")
                if record.sequence != expected { break }
                expected += 1
                if expected > 20_000 { break }
            }
            #expect(expected == 20_001)
        }
    }
}
