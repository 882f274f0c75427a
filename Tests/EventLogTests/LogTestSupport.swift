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
