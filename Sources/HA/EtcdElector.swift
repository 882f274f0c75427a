import Etcd
import Foundation
public import Leader
import Logging
import Synchronization

/// Leader election on etcd (ha.md §3.2): a lease, one key under `election/` attached to it, and
/// the lowest create revision leads. That create revision is the term, and every append compares
/// it (`EtcdLog`), so a deposed, paused or partitioned leader can never write.
///
/// The leader also steps down by its own monotonic clock before etcd can expire its lease: when
/// no keepalive has succeeded for `ttl - margin`, it reports leadership lost even if it cannot
/// reach etcd to learn so.
public final class EtcdElector: Elector, Sendable {
    public struct Options: Sendable {
        public var ttl: Duration
        public init(ttl: Duration = .seconds(3)) { self.ttl = ttl }
        var keepaliveInterval: Duration { self.ttl / 3 }
        /// The step-down deadline is this much before the lease can expire.
        var margin: Duration { min(.milliseconds(500), self.ttl / 4) }
        var ttlSeconds: Int64 { max(2, Int64((Double(self.ttl.components.seconds) + Double(self.ttl.components.attoseconds) / 1e18).rounded(.up))) }
    }

    struct State: Sendable {
        var lease: Int64?
        var key: String?
        /// When the newest successful keepalive was sent.
        var renewedAt: ContinuousClock.Instant?
        var term: UInt64?
        var leader: LeaderInfo?
        var evicted = false
        var lost: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var keepalive: Task<Void, Never>?
    }

    let client: EtcdClient
    let keys: EtcdKeys
    public let member: MemberInfo
    let options: Options
    let logger: Logger
    let state = Mutex(State())
    private let clock = ContinuousClock()

    public init(client: EtcdClient, keys: EtcdKeys, member: MemberInfo, options: Options = Options(), logger: Logger) {
        self.client = client
        self.keys = keys
        self.member = member
        self.options = options
        self.logger = logger
    }

    /// The election key of this member while it holds a lease (the fence `EtcdLog` compares).
    public var electionKey: String? { self.state.withLock { $0.key } }
    /// The leader as last seen (this member while it leads).
    public var leader: LeaderInfo? { self.state.withLock { $0.leader } }
    public var isLeader: Bool { self.state.withLock { $0.term != nil } }
    public var isEvicted: Bool { self.state.withLock { $0.evicted } }

    // MARK: - Elector

    public func campaign() async throws -> Leadership {
        while true {
            try Task.checkCancellation()
            if self.isEvicted {
                try await Task.sleep(for: .milliseconds(200))
                await self.refreshLeader()
                continue
            }
            do throws(EtcdError) {
                let key = try await self.ensureKey()
                if let term = try await self.checkLeadership(key) { return Leadership(term: term) }
                try await self.waitForChange()
            } catch {
                self.logger.warning("campaign", metadata: ["error": "\(error)"])
                self.dropLease()
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Returns when this member stops leading, or when the calling task is cancelled (shutdown).
    public func leadershipLost() async {
        let id = UInt64.random(in: 1...UInt64.max)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = self.state.withLock { state -> Bool in
                    guard state.term != nil, !Task.isCancelled else { return true }
                    state.lost[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.lost.removeValue(forKey: id) }?.resume()
        }
    }

    /// Steps down and deletes the election key, so the next candidate takes over at once.
    public func resign() async {
        let lease = self.state.withLock { $0.lease }
        self.stepDown(reason: "resigned")
        if let lease { try? await self.client.revoke(lease: lease) }
    }

    /// `operate-leader evict`: resign and stop campaigning until `cancelEvict()`.
    public func evict() async {
        self.state.withLock { $0.evicted = true }
        await self.resign()
    }

    public func cancelEvict() { self.state.withLock { $0.evicted = false } }

    /// Gives up leadership: the log fence failed, the lease died, or the clock says it may have.
    public func stepDown(reason: String) {
        let (waiters, task, was, lease) = self.state.withLock { state in
            let waiters = Array(state.lost.values)
            state.lost = [:]
            let was = state.term
            let lease = state.lease
            state.term = nil
            if state.leader?.member.name == self.member.name { state.leader = nil }
            let task = state.keepalive
            state.keepalive = nil
            state.lease = nil
            state.key = nil
            state.renewedAt = nil
            return (waiters, task, was, lease)
        }
        task?.cancel()
        // Delete the key now rather than at lease expiry, so the next candidate need not wait.
        if let lease { Task { try? await self.client.revoke(lease: lease) } }
        if let was { self.logger.warning("stepping down", metadata: ["term": "\(was)", "reason": "\(reason)"]) }
        for waiter in waiters { waiter.resume() }
    }

    /// Forgets the lease without a step-down message (campaign errors).
    func dropLease() {
        let task = self.state.withLock { state -> Task<Void, Never>? in
            state.lease = nil
            state.key = nil
            state.renewedAt = nil
            defer { state.keepalive = nil }
            return state.keepalive
        }
        task?.cancel()
    }

    // MARK: - Campaign steps

    /// Grants a lease, starts keeping it alive, and creates this member's election key.
    func ensureKey() async throws(EtcdError) -> String {
        if let key = self.state.withLock({ $0.key }) { return key }
        let sentAt = self.clock.now
        let lease = try await self.client.grantLease(ttl: self.options.ttlSeconds)
        let key = self.keys.election(lease: lease)
        let txn = try await self.client.txn(
            compare: [.createRevision(key, .equal, 0)],
            success: [.put(key: key, value: self.member.encoded(), lease: lease)])
        guard txn.didSucceed else { throw EtcdError(.rejected, "election key \(key) already exists") }
        self.state.withLock { state in
            state.lease = lease
            state.key = key
            state.renewedAt = sentAt
        }
        let task = Task { [self] in await self.keepAlive(lease: lease) }
        self.state.withLock { $0.keepalive = task }
        return key
    }

    /// The term when `key` has the lowest create revision under `election/`, else nil (and the
    /// leader seen is remembered for redirects).
    func checkLeadership(_ key: String) async throws(EtcdError) -> UInt64? {
        let first = try await self.client.range(
            self.keys.electionPrefix, end: EtcdKeys.end(of: self.keys.electionPrefix), limit: 1, sortByCreate: true)
        guard let top = first.items.first else { throw EtcdError(.rejected, "election key \(key) vanished") }
        let term = UInt64(top.createRevisionValue)
        let info = MemberInfo.decode(top.bytes).map { LeaderInfo(member: $0, term: term) }
        let mine = top.keyString == key
        self.state.withLock { state in
            state.leader = info
            if mine { state.term = term }
        }
        if mine { self.logger.info("elected", metadata: ["term": "\(term)", "key": "\(key)"]) }
        return mine ? term : nil
    }

    /// Waits for any change under `election/` (a resign, an expiry) or one keepalive interval.
    func waitForChange() async throws(EtcdError) {
        let header = try await self.client.range(self.keys.electionPrefix, end: EtcdKeys.end(of: self.keys.electionPrefix), countOnly: true).header
        let from = (header?.revisionValue ?? 0) + 1
        let watch = self.client.watch(self.keys.electionPrefix, end: EtcdKeys.end(of: self.keys.electionPrefix), from: from)
        let interval = self.options.keepaliveInterval
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { for try await _ in watch { return } } catch {}
            }
            group.addTask { try? await Task.sleep(for: interval) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Follower side: who leads, for redirects.
    func refreshLeader() async {
        guard let first = try? await self.client.range(
            self.keys.electionPrefix, end: EtcdKeys.end(of: self.keys.electionPrefix), limit: 1, sortByCreate: true)
        else { return }
        let info = first.items.first.flatMap { top in
            MemberInfo.decode(top.bytes).map { LeaderInfo(member: $0, term: UInt64(top.createRevisionValue)) }
        }
        self.state.withLock { $0.leader = info }
    }

    // MARK: - Keepalive and the local deadline

    func keepAlive(lease: Int64) async {
        let interval = self.options.keepaliveInterval
        let lifetime = self.options.ttl - self.options.margin
        while !Task.isCancelled {
            let sentAt = self.clock.now
            do throws(EtcdError) {
                let remaining = try await self.client.keepAlive(lease: lease, timeout: interval)
                if remaining <= 0 {
                    self.lose(lease: lease, reason: "lease \(String(UInt64(bitPattern: lease), radix: 16)) expired")
                    return
                }
                self.state.withLock { if $0.lease == lease { $0.renewedAt = sentAt } }
            } catch {
                self.logger.warning("keepalive failed", metadata: ["error": "\(error)"])
            }
            // Sleep until the next keepalive, but wake for the step-down deadline if it comes first.
            let renewed = self.state.withLock { $0.renewedAt } ?? sentAt
            let deadline = renewed + lifetime
            let next = sentAt + interval
            if deadline <= next {
                try? await Task.sleep(until: deadline, clock: self.clock)
                if Task.isCancelled { return }
                let stillStale = self.state.withLock { ($0.renewedAt ?? sentAt) + lifetime <= self.clock.now }
                if stillStale {
                    self.lose(lease: lease, reason: "no keepalive succeeded within \(lifetime)")
                    return
                }
            } else {
                try? await Task.sleep(until: next, clock: self.clock)
            }
        }
    }

    /// The lease is gone (or may be): a leader steps down, a candidate campaigns with a new lease.
    func lose(lease: Int64, reason: String) {
        let leading = self.state.withLock { $0.lease == lease && $0.term != nil }
        if leading {
            self.stepDown(reason: reason)
        } else {
            self.state.withLock { state in
                guard state.lease == lease else { return }
                state.lease = nil
                state.key = nil
                state.renewedAt = nil
                state.keepalive = nil
            }
        }
        Task { try? await self.client.revoke(lease: lease) }
    }
}
