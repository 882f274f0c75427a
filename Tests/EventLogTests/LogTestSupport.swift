import BraidTestSupport
import EventLog
import Foundation

func entry(_ text: String, tag: UInt16 = 7, at timestamp: Int64 = 1_700_000_000_000) -> LogEntry {
    LogEntry(typeTag: tag, payload: Array(text.utf8), timestamp: timestamp)
}

func withTemporaryLog<T>(
    options: LMDBLog.Options = LMDBLog.Options(syncMode: .noMetaSync),
    _ body: (LMDBLog, String) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory("eventlog") { dir in
        let log = try LMDBLog(path: dir, options: options)
        return try await body(log, dir)
    }
}

/// Waits until `condition` holds or the deadline passes; never a fixed sleep.
func waitUntil(timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        await Task.yield()
        try await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}
