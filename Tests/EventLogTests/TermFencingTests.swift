import BraidTestSupport
import EventLog
import Testing

@Suite struct TermFencingTests {
    @Test func staleTermIsRefusedAndWritesNothing() async throws {
        try await withTemporaryLog { log, _ in
            _ = try await log.append([entry("leader 5")], term: 5)
            await #expect(throws: EventLogError.self) { try await log.append([entry("old leader")], term: 4) }
            do throws(EventLogError) {
                _ = try await log.append([entry("old leader")], term: 4)
                Issue.record("stale append succeeded")
            } catch {
                #expect(error.code == .staleTerm)
            }
            #expect(log.lastSequence == 1)
            #expect(try log.records(from: 1, limit: 10).count == 1)
        }
    }

    @Test func newerTermFencesTheOlderOne() async throws {
        try await withTemporaryLog { log, _ in
            _ = try await log.append([entry("t1")], term: 1)
            _ = try await log.append([entry("t2")], term: 2)
            #expect(log.currentTerm == 2)
            let stale = try? await log.append([entry("t1 again")], term: 1)
            #expect(stale == nil)
        }
    }

    @Test func beginTermIsPersistedAndMonotonic() async throws {
        try await withTemporaryDirectory("eventlog") { dir in
            let first: UInt64
            do {
                let log = try LMDBLog(path: dir)
                first = try await log.beginTerm()
                #expect(try await log.beginTerm() == first + 1)
            }
            let reopened = try LMDBLog(path: dir)
            #expect(try await reopened.beginTerm() == first + 2)
        }
    }

    @Test func aStaleAppenderInAGroupDoesNotBlockTheOthers() async throws {
        try await withTemporaryLog { log, _ in
            _ = try await log.append([entry("t9")], term: 9)
            async let good = log.append([entry("good")], term: 9)
            async let bad = log.append([entry("bad")], term: 8)
            let goodRange = try await good
            let badResult: Result<Range<UInt64>, EventLogError>
            do {
                badResult = .success(try await bad)
            } catch let error as EventLogError {
                badResult = .failure(error)
            }
            #expect(goodRange.count == 1)
            guard case .failure(let error) = badResult else {
                Issue.record("stale append in group succeeded")
                return
            }
            #expect(error.code == .staleTerm)
            #expect(log.lastSequence == 2)
        }
    }
}
