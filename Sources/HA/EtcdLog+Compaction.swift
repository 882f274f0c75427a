import Etcd
public import EventLog

extension EtcdLog {
    /// The current etcd revision (a linearizable read of the head).
    public func currentRevision() async throws(EventLogError) -> Int64 {
        try await self.etcd { () throws(EtcdError) in try await self.client.range(self.keys.head, countOnly: true) }.header?.revisionValue ?? 0
    }

    /// Drops etcd's history before `revision`. The log itself is untouched: its chunks are live
    /// keys, so a follower whose watch falls behind the compaction catches up with range reads.
    /// What compaction removes is the superseded versions (the head, heartbeats, election keys) that
    /// would otherwise fill etcd's quota over weeks. Never called with the newest revision
    /// (etcd-io/etcd#17780).
    public func compactHistory(before revision: Int64) async throws(EventLogError) {
        guard revision > 1 else { return }
        do {
            try await self.client.compact(revision: revision)
        } catch {
            // Compacting at or below an earlier compaction is a no-op, not a failure.
            if error.code == .compacted { return }
            throw EventLogError(.unavailable, "etcd compaction at \(revision): \(error)")
        }
    }
}
