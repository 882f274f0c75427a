import Domain
import EventLog
import Foundation
import Projections

/// `braid log replay|verify|rebuild`: the tools that fold the log into a `ClusterState`.
public enum LogInspection {
    /// The state after sequence `seq`, or after the last record at or before time `ms`.
    public static func replay(log: LMDBLog, untilSequence: UInt64?, untilTime: Int64?) throws -> ClusterState {
        var target = untilSequence
        if let untilTime {
            let seq = try ClusterState.lastSequence(in: log, atOrBefore: untilTime)
            target = min(target ?? seq, seq)
        }
        return try ClusterState.rebuild(from: log, through: target)
    }

    public static func json(_ state: ClusterState) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(state), as: UTF8.self)
    }

    /// A fingerprint of the state's binary encoding, which is canonical (maps and sets sorted),
    /// unlike its JSON, where dictionaries with non-string keys and sets follow per-process hash order.
    /// Two folds are the same state exactly when their encodings are equal, so comparing digests
    /// compares states across processes (e.g. before and after a master restart).
    public static func digest(_ state: ClusterState) -> String {
        let bytes = state.snapshotBytes()
        let crc = bytes.withUnsafeBytes { CRC32C.checksum($0) }
        let crc2 = bytes.reversed().withUnsafeBytes { CRC32C.checksum($0) }
        return String(format: "%08x%08x-%d", crc, crc2, bytes.count)
    }

    public struct VerifyReport: Sendable {
        public var storage: LogVerification
        public var firstBadSequence: UInt64?
        public var problems: [String]
        public var isSound: Bool { self.problems.isEmpty }
    }

    /// Checks CRCs and sequence gaps, that every event decodes, that the invariants hold after
    /// every event, and that the newest snapshot equals the full fold at its sequence.
    public static func verify(log: LMDBLog, progress: (String) -> Void = { _ in }) throws -> VerifyReport {
        let storage = try log.verify()
        var report = VerifyReport(storage: storage, firstBadSequence: nil, problems: [])
        if let problem = storage.firstProblem {
            report.firstBadSequence = problem.sequence
            report.problems.append("storage: \(problem)")
            return report
        }
        progress("records \(storage.firstSequence)...\(storage.lastSequence): \(storage.recordCount) records, checksums and sequence numbers OK")
        var state = ClusterState()
        if storage.firstSequence > 1 {
            guard let snapshot = try log.latestSnapshot(atOrBefore: storage.firstSequence - 1) else {
                report.problems.append("records before \(storage.firstSequence) were truncated but no snapshot covers them")
                return report
            }
            state = try ClusterState(snapshotBytes: snapshot.state)
        }
        let snapshots = Set(try log.snapshotSequences())
        var failure: (UInt64, String)?
        try log.forEachRecord(in: max(state.lastSequence + 1, storage.firstSequence)...UInt64.max) { record in
            let event: Event
            do {
                event = try Event(typeTag: record.typeTag, payload: record.payload)
            } catch {
                failure = (record.sequence, "undecodable event: \(error)")
                return false
            }
            // A command's events share one timestamp and are only consistent together, so
            // invariants are checked at command boundaries: before a record with a new timestamp.
            if state.lastSequence > 0, record.timestamp != state.lastTimestamp {
                do {
                    try state.checkInvariants()
                } catch {
                    failure = (state.lastSequence, "\(error)")
                    return false
                }
            }
            state.apply(event, sequence: record.sequence, timestamp: record.timestamp)
            if snapshots.contains(record.sequence),
               let snap = try? log.latestSnapshot(atOrBefore: record.sequence), snap.sequence == record.sequence,
               snap.version == ClusterState.snapshotVersion {
                guard let decoded = try? ClusterState(snapshotBytes: snap.state), decoded == state else {
                    failure = (record.sequence, "snapshot at \(record.sequence) differs from the fold of the log")
                    return false
                }
            }
            return true
        }
        if failure == nil {
            do {
                try state.checkInvariants()
            } catch {
                failure = (state.lastSequence, "\(error)")
            }
        }
        if let (seq, message) = failure {
            report.firstBadSequence = seq
            report.problems.append("sequence \(seq): \(message)")
        } else {
            progress("every event decodes; invariants hold after every command; \(snapshots.count) snapshots match the fold")
        }
        return report
    }

    /// Folds the whole log and stores the result as a snapshot at the last sequence.
    public static func rebuild(log: LMDBLog) async throws -> SnapshotRecord {
        let state = try ClusterState.rebuild(from: log, useSnapshots: false)
        try state.checkInvariants()
        let snapshot = state.snapshotRecord()
        try await log.writeSnapshot(snapshot)
        return snapshot
    }
}
