import Domain
import EventLog
import Foundation

/// `braid log show|tail|export|audit`: read-only views over a data directory's log.
public struct LogReader {
    public let log: LMDBLog

    public init(dataDir: String) throws {
        self.log = try DataDirectory.openLog(dataDir)
    }

    public init(log: LMDBLog) {
        self.log = log
    }

    /// Prints records `from...` (at most `limit`), as text or JSON lines.
    public func show(from: UInt64, limit: Int, json: Bool, write: (String) -> Void) throws {
        let start = max(from, self.log.firstSequence)
        var printed = 0
        try self.log.forEachRecord(in: start...UInt64.max) { record in
            write(json ? RecordFormatter.jsonLine(record) : RecordFormatter.line(record))
            printed += 1
            return printed < limit
        }
    }

    /// Prints the last `count` records, then, if `follow`, new ones as they are committed by
    /// whichever process writes the log (polling, since the writer may be another process).
    public func tail(count: Int, follow: Bool, json: Bool, write: @Sendable (String) -> Void) async throws {
        let last = try self.storedLast()
        var next = last >= UInt64(count) ? last - UInt64(count) + 1 : 1
        repeat {
            let batch = try self.log.records(from: next, limit: 1_000)
            for record in batch { write(json ? RecordFormatter.jsonLine(record) : RecordFormatter.line(record)) }
            if let newest = batch.last {
                next = newest.sequence + 1
            } else if follow {
                try await Task.sleep(for: .milliseconds(200))
            }
        } while follow && !Task.isCancelled
    }

    /// Every record as a JSON line, for other tools.
    public func export(write: (String) -> Void) throws {
        try self.log.forEachRecord(in: self.log.firstSequence...UInt64.max) { record in
            write(RecordFormatter.jsonLine(record))
            return true
        }
    }

    /// The newest stored sequence, read from disk (another process may be appending).
    public func storedLast() throws -> UInt64 {
        var last: UInt64 = 0
        var probe = max(self.log.lastSequence, self.log.firstSequence)
        while true {
            let batch = try self.log.records(from: probe, limit: 4_096)
            guard let newest = batch.last else { break }
            last = newest.sequence
            probe = newest.sequence + 1
        }
        return last == 0 ? self.log.lastSequence : last
    }
}
