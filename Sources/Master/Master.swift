import API
import EventLog
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import Leader
import Projections
import Prometheus
import ServiceLifecycle

/// `braid master`: the leader loop (`EngineHost`), its ticker and the HTTP API, as services
/// under one `ServiceGroup`. The executable only parses flags and calls `Master.run`.
public enum Master {
    /// Runs the master until SIGTERM/SIGINT, then drains in-flight requests and returns.
    public static func run(configuration: MasterConfiguration, logger: Logger = Logger(label: "braid.master")) async throws {
        if !configuration.etcdEndpoints.isEmpty {
            return try await Self.runHA(configuration: configuration, logger: logger)
        }
        let log = try LMDBLog(path: try Self.prepareDataDir(configuration.dataDir))
        let runtime = try await MasterRuntime.start(
            configuration: configuration, log: log, elector: EmbeddedElector(log: log), logger: logger)
        let app = try runtime.application()
        logger.info("master starting", metadata: [
            "listen": "\(configuration.host):\(configuration.port)", "term": "\(runtime.host.term)",
            "data_dir": "\(configuration.dataDir)",
        ])
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: app),
                .init(service: runtime.ticker),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
        let last = await runtime.host.state.lastSequence
        logger.info("master stopped", metadata: ["last_sequence": "\(last)"])
    }

    /// Creates `<data-dir>/log` when missing and returns it.
    static func prepareDataDir(_ dataDir: String) throws -> String {
        let path = dataDir + "/log"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// One master's wired parts. Tests build it over a temporary log with their own clock and drive
/// the application with `HummingbirdTesting` and the ticker by hand.
public struct MasterRuntime: Sendable {
    public let configuration: MasterConfiguration
    public let host: EngineHost
    public let ticker: LeaderTicker
    public let api: MasterAPI
    public let registry: PrometheusCollectorRegistry
    let logger: Logger

    /// Wins the election (the embedded elector always does), rebuilds the state and wires the API.
    public static func start(
        configuration: MasterConfiguration,
        log: any LogStore,
        elector: any Elector,
        clock: MasterClock = .system,
        logger: Logger
    ) async throws -> MasterRuntime {
        let leadership = try await elector.campaign()
        let host = try EngineHost(log: log, term: leadership.term, options: .init(snapshotEvery: configuration.snapshotEvery))
        // Embedded: nobody else may write this log; if records appear anyway, every write answers
        // with the reason from then on and the operator restarts the master (it refolds the log).
        await host.onLost { why in logger.critical("the log diverged from the leader's fold; refusing writes", metadata: ["reason": "\(why)"]) }
        return try await Self.lead(configuration: configuration, host: host, clock: clock, logger: logger)
    }

    /// Wires the API and the ticker around `host`, the leader loop of a won term.
    public static func lead(
        configuration: MasterConfiguration,
        host: EngineHost,
        clock: MasterClock = .system,
        members: (any MemberDirectory)? = nil,
        logger: Logger
    ) async throws -> MasterRuntime {
        let secrets = try configuration.secretKeyFile.map { path throws(MasterError) in try SecretBox.load(keyFile: path) }
            ?? SecretBox(keyBytes: nil)
        let registry = PrometheusCollectorRegistry()
        // A fresh TTL for every worker the log shows online: the log's last-seen times are coarse.
        let liveness = LivenessBoard()
        liveness.grant(await host.state.scheduling.workers.filter(\.value.isOnline).keys, at: clock.now())
        let api = MasterAPI(
            host: host, configuration: configuration, clock: clock, secrets: secrets, registry: registry,
            liveness: liveness, members: members, logger: logger)
        let ticker = LeaderTicker(
            host: host, clock: clock, interval: configuration.tickInterval, ttl: configuration.keepaliveTTL,
            liveness: liveness, logger: logger)
        let last = await host.state.lastSequence
        logger.info("leader", metadata: ["term": "\(host.term)", "last_sequence": "\(last)"])
        return MasterRuntime(configuration: configuration, host: host, ticker: ticker, api: api, registry: registry, logger: logger)
    }

    /// The router: middleware (metrics, rate limit, auth, body limit), the generated handlers,
    /// `/metrics` and the spec.
    public func router() throws -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(MetricsMiddleware(registry: self.registry))
        if let rate = self.configuration.rateLimit {
            router.middlewares.add(RateLimitMiddleware(bucket: TokenBucket(rate: rate, burst: self.configuration.rateBurst ?? max(rate, 1))))
        }
        if let file = self.configuration.authTokenFile {
            guard let token = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !token.isEmpty
            else { throw MasterError.configuration("cannot read a token from --auth-token-file \(file)") }
            router.middlewares.add(AuthMiddleware(token: token))
        }
        router.middlewares.add(BodyLimitMiddleware(maxBytes: self.configuration.maxBodyBytes))
        let registry = self.registry
        let host = self.host
        router.get("/metrics") { _, _ -> Response in
            let state = await host.state
            registry.makeGauge(descriptor: Self.gauge("last_sequence")).set(Double(state.lastSequence))
            registry.makeGauge(descriptor: Self.gauge("term")).set(Double(host.term))
            registry.makeGauge(descriptor: Self.gauge("workers")).set(Double(state.scheduling.workers.count))
            registry.makeGauge(descriptor: Self.gauge("tasks")).set(Double(state.scheduling.tasks.count))
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        try self.api.registerHandlers(on: router, serverURL: URL(string: "/")!, middlewares: [RequestDecodingMiddleware()])
        return router
    }

    static func gauge(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "braid", subsystem: "master", metricName: name, unitName: "", helpText: "")
    }

    /// The HTTP server as a `Service`.
    public func application() throws -> some ApplicationProtocol {
        Application(
            router: try self.router(),
            configuration: .init(address: .hostname(self.configuration.host, port: self.configuration.port), serverName: "braid-master"),
            logger: self.logger
        )
    }
}
