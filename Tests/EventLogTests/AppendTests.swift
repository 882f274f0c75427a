import BraidTestSupport
import EventLog
import Foundation
import Testing

@Suite struct AppendTests {
    @Test func appendsAreNumberedFromOneAndReadBack() async throws {
        try await withTemporaryLog { log, _ in
            let first = try await log.append([entry("a"), entry("b")], term: 1)
            let second = try await log.append([entry("c")], term: 1)
            #expect(first == 1..<3)
            #expect(second == 3..<4)
            let records = try log.records(from: 1, limit: 10)
            #expect(records.map { String(decoding: $0.payload, as: UTF8.self) } == ["a", "b", "c"])
            #expect(records.map(\.sequence) == [1, 2, 3])
            #expect(records.allSatisfy { $0.term == 1 && $0.typeTag == 7 })
        }
    }

    @Test func recordsSurviveReopen() async throws {
        try await withTemporaryDirectory("eventlog") { dir in
            do {
                let log = try LMDBLog(path: dir, options: .init(syncMode: .durable))
                _ = try await log.append((0..<100).map { entry("r\($0)") }, term: 3)
            }
            let reopened = try LMDBLog(path: dir)
            #expect(reopened.lastSequence == 100)
            #expect(reopened.currentTerm == 3)
            let last = try reopened.records(from: 100, limit: 1)
            #expect(last.first.map { String(decoding: $0.payload, as: UTF8.self) } == "r99")
            let next = try await reopened.append([entry("after")], term: 3)
            #expect(next == 101..<102)
        }
    }

    @Test func concurrentAppendersShareCommitsAndGetDisjointContiguousSequences() async throws {
        try await withTemporaryLog(options: .init(syncMode: .durable)) { log, dir in
            let appenders = 256
            let perAppender = 8
            let ranges = try await withThrowingTaskGroup(of: [Range<UInt64>].self) { group in
                for a in 0..<appenders {
                    group.addTask {
                        var mine: [Range<UInt64>] = []
                        for i in 0..<perAppender { mine.append(try await log.append([entry("\(a)-\(i)")], term: 1)) }
                        return mine
                    }
                }
                var all: [Range<UInt64>] = []
                for try await r in group { all += r }
                return all
            }
            let sequences = ranges.flatMap { Array($0) }.sorted()
            #expect(sequences == Array(1...UInt64(appenders * perAppender)))
            // Every acknowledged append is durable: a fresh open sees all of them.
            let reopened = try LMDBLog(path: dir)
            #expect(reopened.lastSequence == UInt64(appenders * perAppender))
            #expect(try reopened.verify().isSound)
        }
    }

    @Test func emptyAppendWritesNothing() async throws {
        try await withTemporaryLog { log, _ in
            let r = try await log.append([], term: 1)
            #expect(r.isEmpty)
            #expect(log.lastSequence == 0)
        }
    }
}
