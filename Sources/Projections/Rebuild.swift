import Domain
public import EventLog

/// Why a projection could not be rebuilt.
public struct RebuildError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable { case storage, undecodableEvent, sequenceGap }
    public var code: Code
    public var sequence: UInt64?
    public var message: String

    public var description: String {
        "\(self.code)\(self.sequence.map { " at sequence \($0)" } ?? ""): \(self.message)"
    }
}

extension ClusterState {
    /// The state after every record up to `target` (the whole log when nil): the newest usable
    /// snapshot at or before it, then the records after the snapshot.
    public static func rebuild(from log: some LogStore, through target: UInt64? = nil, useSnapshots: Bool = true) throws(RebuildError) -> ClusterState {
        let end = target ?? UInt64.max
        var state = ClusterState()
        var failure: RebuildError?
        do throws(EventLogError) {
            if useSnapshots, let snapshot = try log.latestSnapshot(atOrBefore: end), snapshot.version == Self.snapshotVersion,
               let decoded = try? ClusterState(snapshotBytes: snapshot.state) {
                state = decoded
            }
            let first = max(state.lastSequence + 1, try log.firstSequence)
            guard first <= end else { return state }
            try log.forEachRecord(in: first...end) { record in
                if state.lastSequence != 0, record.sequence != state.lastSequence + 1 {
                    failure = RebuildError(code: .sequenceGap, sequence: record.sequence, message: "expected \(state.lastSequence + 1)")
                    return false
                }
                guard let event = try? Event(typeTag: record.typeTag, payload: record.payload) else {
                    let reason = Result { try Event(typeTag: record.typeTag, payload: record.payload) }
                    failure = RebuildError(code: .undecodableEvent, sequence: record.sequence, message: "\(reason)")
                    return false
                }
                state.apply(event, sequence: record.sequence, timestamp: record.timestamp)
                return true
            }
        } catch {
            throw RebuildError(code: .storage, sequence: error.sequence, message: error.description)
        }
        if let failure { throw failure }
        return state
    }

    /// The sequence of the last record whose timestamp is at or before `time` (ms), for time travel.
    public static func lastSequence(in log: some LogStore, atOrBefore time: Int64) throws(EventLogError) -> UInt64 {
        var found: UInt64 = 0
        try log.forEachRecord(in: try log.firstSequence...UInt64.max) { record in
            guard record.timestamp <= time else { return false }
            found = record.sequence
            return true
        }
        return found
    }
}
