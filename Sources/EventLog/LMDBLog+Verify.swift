import CLMDB

/// What `verify` found.
public struct LogVerification: Sendable, Hashable {
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var recordCount: Int
    public var snapshotCount: Int
    /// The first problem, naming its sequence number; `nil` when the log is sound.
    public var firstProblem: EventLogError?

    public var isSound: Bool { self.firstProblem == nil }
}

extension LMDBLog {
    /// Checks every record's checksum and that sequence numbers are contiguous, then every snapshot's checksum.
    /// It reads raw records so that one corrupt record is reported rather than thrown.
    public func verify() throws(EventLogError) -> LogVerification {
        let env = self.environment
        let first = self.firstSequence
        return try env.read { txn throws(EventLogError) -> LogVerification in
            var report = LogVerification(firstSequence: first, lastSequence: 0, recordCount: 0, snapshotCount: 0, firstProblem: nil)
            try txn.withCursor(env.events) { cursor throws(EventLogError) in
                var expected = first
                var item = try cursor.get(MDB_FIRST)
                while let (key, value) = item {
                    if report.firstProblem == nil, key != expected {
                        report.firstProblem = EventLogError(.sequenceGap, "expected sequence \(expected), found \(key)", sequence: expected)
                    }
                    if report.firstProblem == nil {
                        do throws(EventLogError) {
                            _ = try LogRecord(sequence: key, value: value)
                        } catch {
                            report.firstProblem = error
                        }
                    }
                    report.recordCount += 1
                    report.lastSequence = key
                    expected = key + 1
                    item = try cursor.get(MDB_NEXT)
                }
            }
            try txn.withCursor(env.snapshots) { cursor throws(EventLogError) in
                var item = try cursor.get(MDB_FIRST)
                while let (key, value) = item {
                    if report.firstProblem == nil {
                        do throws(EventLogError) {
                            _ = try SnapshotRecord(sequence: key, value: value)
                        } catch {
                            report.firstProblem = error
                        }
                    }
                    report.snapshotCount += 1
                    item = try cursor.get(MDB_NEXT)
                }
            }
            return report
        }
    }
}
