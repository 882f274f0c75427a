import API
import Domain
import Etcd
import EventLog
import Foundation
import HA
import Hummingbird
import Leader
import Logging
import Projections
import ServiceLifecycle

extension Master {
    /// `braid master --etcd ...`: one member of an HA cluster. The HTTP server runs for the
    /// process's life; `MemberService` campaigns, follows etcd into the mirror while a follower,
    /// and runs the leader loop for each term it wins.
    static func runHA(configuration: MasterConfiguration, logger: Logger) async throws {
        let directory = try Self.prepareDataDir(configuration.dataDir)
        // etcd holds the durable copy: the mirror syncs once per commit, not twice. A machine crash
        // can lose its last commit, which the next catch-up reads back from etcd.
        let mirror = try LMDBLog(path: directory, options: .init(syncMode: .noMetaSync))
        let client = try EtcdClient(endpoints: configuration.etcdEndpoints)
        let keys = EtcdKeys(cluster: configuration.cluster)
        let elector = EtcdElector(
            client: client, keys: keys, member: MemberInfo(name: configuration.name, apiURL: configuration.apiURL),
            options: .init(ttl: configuration.electionTTL), logger: logger)
        let log = EtcdLog(
            mirror: mirror, mirrorDirectory: directory, client: client, keys: keys, logger: logger,
            pipelineDepth: configuration.etcdPipelineDepth, onFenceLost: { why in elector.stepDown(reason: why) })
        // etcd unreachable, another etcd cluster, or a diverged mirror: refuse to start, naming it.
        do {
            try await log.catchUp()
        } catch {
            throw MasterError.configuration("cannot join the HA cluster through etcd \(configuration.etcdEndpoints.joined(separator: ",")): \(error)")
        }
        let slot = LeaderSlot()
        let members = EtcdMemberDirectory(client: client, keys: keys)
        let member = MemberService(
            configuration: configuration, log: log, elector: elector, slot: slot, members: members, logger: logger)
        let local = try Self.followerRouter(members: members, elector: elector, mirror: mirror).buildResponder()
        let app = Application(
            responder: MemberResponder(slot: slot, elector: elector, local: local, selfURL: configuration.apiURL),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "braid-master"),
            logger: logger)
        logger.info("master starting (HA)", metadata: [
            "listen": "\(configuration.host):\(configuration.port)", "etcd": "\(configuration.etcdEndpoints)",
            "cluster": "\(configuration.cluster)", "mirror_last": "\(mirror.lastSequence)",
        ])
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: member)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("master stopped", metadata: ["mirror_last": "\(mirror.lastSequence)"])
    }

    /// What a follower serves itself.
    static func followerRouter(members: any MemberDirectory, elector: EtcdElector, mirror: LMDBLog) -> Router<BasicRequestContext> {
        let router = Router()
        router.put("/api/v1/cluster/leader") { _, _ -> Response in
            await elector.evict()
            return Response(status: .noContent)
        }
        router.delete("/api/v1/cluster/leader") { _, _ -> Response in
            elector.cancelEvict()
            return Response(status: .noContent)
        }
        router.get("/health") { _, _ in "ok" }
        // A follower's own gauges: where its mirror is, and that it does not lead.
        router.get("/metrics") { _, _ -> Response in
            let text = """
                # TYPE braid_master_leader gauge
                braid_master_leader 0
                # TYPE braid_master_mirror_last_sequence gauge
                braid_master_mirror_last_sequence \(mirror.lastSequence)

                """
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        FollowerLogRoutes.add(to: router, mirror: mirror)
        router.get("/api/v1/openapi.yaml") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: APISpec.yaml ?? "")))
        }
        router.get("/api/v1/cluster/masters") { _, _ -> Response in
            let list = await members.list()
            let data = (try? JSONEncoder().encode(list)) ?? Data()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }
}

/// One HA member's life: follow, campaign, lead a term, step down, repeat.
struct MemberService: Service {
    let configuration: MasterConfiguration
    let log: EtcdLog
    let elector: EtcdElector
    let slot: LeaderSlot
    let members: any MemberDirectory
    let logger: Logger

    func run() async throws {
        let initial = try ClusterState.rebuild(from: self.log)
        let mirror = self.log.mirror
        let heartbeat = Task { [configuration, log] in
            await MemberHeartbeat(
                client: log.client, keys: log.keys, member: MemberInfo(name: configuration.name, apiURL: configuration.apiURL),
                ttl: configuration.electionTTL, mirrored: { mirror.lastSequence }
            ).run()
        }
        defer { heartbeat.cancel() }
        do {
            try await cancelWhenGracefulShutdown { try await self.loop(warm: initial) }
        } catch is CancellationError {
        }
        await self.elector.resign()
        self.slot.clear()
    }

    private func loop(warm initial: ClusterState) async throws {
        var warm = initial
        while !Task.isCancelled {
            // Follower: fill the mirror and keep the fold warm until this member wins.
            let follower = Task { await self.log.follow() }
            let leadership: Leadership
            do {
                leadership = try await self.campaignKeepingWarm(&warm)
            } catch {
                follower.cancel()
                await follower.value
                throw error
            }
            follower.cancel()
            await follower.value
            warm = try await self.lead(leadership, warm: warm)
        }
    }

    /// Campaigns while folding new mirror records into `warm` (ha.md §3.4 step 6), so taking
    /// over costs only the records that arrived since the last fold.
    private func campaignKeepingWarm(_ warm: inout ClusterState) async throws -> Leadership {
        let log = self.log
        let logger = self.logger
        let every = self.configuration.snapshotEvery
        let folder = Task { [warm] () -> ClusterState in
            var state = warm
            var snapshotAt = (try? log.mirror.latestSnapshot(atOrBefore: .max)?.sequence) ?? 0
            while !Task.isCancelled {
                do {
                    try state.catchUp(from: log)
                    // Followers snapshot their fold too, so a restart after months folds a tail, not the log.
                    if every > 0, state.lastSequence >= snapshotAt + every {
                        try await log.mirror.writeSnapshot(state.snapshotRecord())
                        snapshotAt = state.lastSequence
                    }
                } catch {
                    logger.error("warm fold failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return state
        }
        defer { folder.cancel() }
        let leadership = try await self.elector.campaign()
        folder.cancel()
        warm = await folder.value
        return leadership
    }

    /// While leading, every `etcdCompactInterval` (ha.md §3.5): snapshot the state and publish it
    /// into etcd, delete the chunks that the snapshot and every live member's mirror are past, and
    /// compact etcd's history up to the revision seen one interval earlier (so watchers keep an
    /// interval of history). etcd then holds a bounded log however long the cluster runs.
    private func maintainEtcd(host: EngineHost) async {
        var previous: Int64 = 0
        var published: UInt64 = 0
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: self.configuration.etcdCompactInterval)
                if await host.state.lastSequence > published {
                    try await host.snapshotNow()
                }
                if let snapshot = try self.log.mirror.latestSnapshot(atOrBefore: UInt64.max), snapshot.sequence > published {
                    if try await self.log.publishSnapshot(snapshot) {
                        self.logger.info("snapshot published to etcd", metadata: ["sequence": "\(snapshot.sequence)", "bytes": "\(snapshot.state.count)"])
                    }
                    published = snapshot.sequence
                }
                let floor = min(published, try await self.log.liveMirrorFloor())
                let kept = try await self.log.truncateChunks(through: floor)
                if kept > 0 { self.logger.info("etcd chunks truncated", metadata: ["first_kept": "\(kept)"]) }
                let current = try await self.log.currentRevision()
                if previous > 0, previous < current {
                    try await self.log.compactHistory(before: previous)
                    self.logger.info("etcd history compacted", metadata: ["revision": "\(previous)"])
                }
                previous = current
            } catch is CancellationError {
                return
            } catch {
                self.logger.warning("etcd maintenance failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Leads one term: take over the log, append `leader.elected` as the first fenced write, then
    /// serve and tick until leadership is lost. Returns the state to keep folding as a follower.
    private func lead(_ leadership: Leadership, warm: ClusterState) async throws -> ClusterState {
        let started = ContinuousClock.now
        var state = warm
        guard let key = self.elector.electionKey else { return state }
        do {
            try await self.log.takeOver(term: leadership.term, electionKey: key)
            try state.catchUp(from: self.log)
        } catch {
            self.elector.stepDown(reason: "take-over failed: \(error)")
            if let error = error as? EventLogError, error.code == .diverged {
                // A mirror that disagrees with etcd must never write: stop campaigning for good
                // (an operator repairs the mirror and restarts the member, or cancel-evicts it).
                self.logger.critical("the mirror diverges from etcd; this member refuses to lead", metadata: ["error": "\(error)"])
                await self.elector.evict()
            } else {
                // Wait a lease before campaigning again, rather than winning and failing in a loop.
                self.logger.error("cannot take over the log; not leading", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: self.configuration.electionTTL)
            }
            return state
        }
        let host = EngineHost(log: self.log, warm: state, term: leadership.term, options: .init(snapshotEvery: self.configuration.snapshotEvery))
        let elector = self.elector
        let logger = self.logger
        await host.onLost { why in
            logger.critical("the log diverged from this leader's fold; stepping down", metadata: ["reason": "\(why)"])
            elector.stepDown(reason: why)
        }
        do {
            try await host.execute(.record(.leader(.elected(term: leadership.term, member: self.configuration.name, at: MasterClock.system.now()))), now: MasterClock.system.now())
        } catch {
            self.logger.error("first fenced append failed; not leading", metadata: ["error": "\(error)"])
            self.log.release()
            self.elector.stepDown(reason: "first append failed: \(error)")
            return await host.state
        }
        let runtime = try await MasterRuntime.lead(configuration: self.configuration, host: host, members: self.members, logger: self.logger)
        self.slot.set(runtime, responder: try runtime.router().buildResponder())
        let last = await host.state.lastSequence
        self.logger.info("leading", metadata: [
            "term": "\(leadership.term)", "takeover_ms": "\((ContinuousClock.now - started).milliseconds)",
            "last_sequence": "\(last)",
        ])
        let ticker = Task { try? await runtime.ticker.run() }
        let compactor = Task { await self.maintainEtcd(host: host) }
        await self.elector.leadershipLost()
        ticker.cancel()
        compactor.cancel()
        self.slot.clear()
        self.log.release()
        _ = await ticker.value
        self.logger.warning("no longer leading", metadata: ["term": "\(leadership.term)"])
        return await host.state
    }
}
