import Domain
import Synchronization

/// The leader's in-memory record of when it last heard from each worker.
///
/// Keepalives are not all logged: the decider records a keepalive only when it brings a worker
/// online or when the recorded one is TTL/2 old (see `Scheduling.Command.keepalive`). Every
/// keepalive the leader receives lands here, and each `tick` carries this board as data, so expiry
/// still counts from the newest keepalive while the log grows by about two events per worker per TTL
/// instead of one per keepalive. Replay needs none of it: expiry is an event.
///
/// A new leader has only the log, whose last-seen times may be up to TTL/2 behind. So at takeover it
/// grants every worker the log shows online a fresh TTL (`grant(_:at:)`): a live worker is never
/// expired early because leadership changed, and a dead one is expired at most one TTL after the
/// takeover. DM's new leaders likewise see workers online until their etcd lease (TTL) runs out.
final class LivenessBoard: Sendable {
    private let seen = Mutex<[WorkerName: Int64]>([:])

    init() {}

    /// A keepalive from `worker` arrived at `now` (leader clock, Unix ms).
    func saw(_ worker: WorkerName, at now: Int64) {
        self.seen.withLock { seen in
            if seen[worker].map({ $0 < now }) ?? true { seen[worker] = now }
        }
    }

    /// Drops an unknown worker's entry (its keepalive was refused).
    func forget(_ worker: WorkerName) { _ = self.seen.withLock { $0.removeValue(forKey: worker) } }

    /// At takeover: `workers` (online in the rebuilt state) count as seen at `now`.
    func grant(_ workers: some Sequence<WorkerName>, at now: Int64) {
        for worker in workers { self.saw(worker, at: now) }
    }

    /// The last time each worker was heard from, for a `tick`.
    func snapshot() -> [WorkerName: Int64] { self.seen.withLock { $0 } }

    func lastSeen(_ worker: WorkerName) -> Int64? { self.seen.withLock { $0[worker] } }
}
