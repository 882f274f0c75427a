import Logging
import Leader
import Projections
import ServiceLifecycle

/// The leader's timer: every `interval` it executes `.scheduling(.tick(now:ttl:lastSeen:))` with the
/// master clock and the leader's in-memory keepalive times, so keepalive expiry is a decision
/// recorded in the log with time as data.
///
/// Unanswered shard-DDL operations need no timer of their own: they stay in the state until a
/// worker reports them done, and every watch answer lists the not-done operations of the
/// worker's sources, so an operation is re-delivered on each watch until it is answered.
public struct LeaderTicker: Service {
    let host: EngineHost
    let clock: MasterClock
    let interval: Duration
    let ttl: Duration
    let liveness: LivenessBoard
    let logger: Logger

    init(host: EngineHost, clock: MasterClock, interval: Duration, ttl: Duration, liveness: LivenessBoard, logger: Logger) {
        self.host = host
        self.liveness = liveness
        self.clock = clock
        self.interval = interval
        self.ttl = ttl
        self.logger = logger
    }

    /// Ticks until graceful shutdown (or cancellation), then returns normally so the group drains.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try await Task.sleep(for: self.interval)
                    await self.tickOnce()
                }
            }
        } catch is CancellationError {
            return
        }
    }

    /// One tick; a refused tick or a storage error is logged and the next tick tries again.
    public func tickOnce() async {
        do {
            let now = self.clock.now()
            let tick = ClusterCommand.scheduling(.tick(now: now, ttl: self.ttl.milliseconds, lastSeen: self.liveness.snapshot()))
            let events = try await self.host.execute(tick, now: now)
            for event in events where event.name.hasPrefix("worker.") || event.name.hasPrefix("binding.") {
                self.logger.info("tick", metadata: ["event": "\(event.name)"])
            }
        } catch {
            self.logger.warning("tick failed", metadata: ["error": "\(error)"])
        }
    }
}
