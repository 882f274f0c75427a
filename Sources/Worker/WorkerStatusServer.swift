import Foundation
import Hummingbird
import Logging
import Prometheus

/// The worker's own HTTP endpoint on its `--listen` address (the address it registers with the
/// master): `GET /status` as JSON (`WorkerStatus`) and `GET /metrics` for Prometheus.
public enum WorkerStatusServer {
    /// The routes over `board`.
    static func router(board: WorkerStatusBoard) -> Router<BasicRequestContext> {
        let router = Router()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        router.get("/status") { _, _ -> Response in
            let body = try encoder.encode(board.status)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.metrics(board))))
        }
        return router
    }

    /// The exposition text, rendered from the board on each scrape (a fresh registry, so stage
    /// gauges of subtasks that went away disappear with them).
    static func metrics(_ board: WorkerStatusBoard) -> [UInt8] {
        let status = board.status
        let counters = board.counters
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, _ help: String, _ value: Double, _ labels: [(String, String)] = []) {
            registry.makeGauge(descriptor: Self.name(name, help), labels: labels).set(value)
        }
        func counter(_ name: String, _ help: String, _ value: Int, _ labels: [(String, String)] = []) {
            registry.makeCounter(descriptor: Self.name(name, help, unit: "total"), labels: labels).increment(by: Int64(value))
        }
        gauge("registered", "1 while a session with the master holds a lease", status.registered ? 1 : 0)
        gauge("bound", "1 while a source is bound to this worker", status.source == nil ? 0 : 1)
        gauge("binding_epoch", "the epoch of the current binding (0 when unbound)", Double(status.bindingEpoch ?? 0))
        var byStage: [String: Int] = [:]
        for subtask in status.subtasks { byStage[subtask.stage, default: 0] += 1 }
        for (stage, count) in byStage.sorted(by: { $0.key < $1.key }) {
            gauge("subtasks", "subtasks by the stage their runner last reported", Double(count), [("stage", stage)])
        }
        counter("registrations", "successful registrations with the master", counters.registrations)
        counter("keepalives", "keepalives sent", counters.keepalivesOK, [("result", "ok")])
        counter("keepalives", "keepalives sent", counters.keepalivesFailed, [("result", "failed")])
        counter("lease_lapses", "sessions ended because the keepalive lease lapsed", counters.leaseLapses)
        counter("views", "watch views applied", counters.views)
        return registry.emitToBuffer()
    }

    private static func name(_ metric: String, _ help: String, unit: String = "") -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "braid", subsystem: "worker", metricName: metric, unitName: unit, helpText: help)
    }

    /// The HTTP server as a `Service`, bound to `address` (`host:port`).
    static func application(
        address: String, board: WorkerStatusBoard, logger: Logger
    ) throws(WorkerAddressError) -> some ApplicationProtocol {
        let (host, port) = try Self.parse(address)
        return Application(
            router: Self.router(board: board),
            configuration: .init(address: .hostname(host, port: port), serverName: "braid-worker"),
            logger: logger)
    }

    /// Splits `host:port` (an IPv6 host in brackets).
    static func parse(_ address: String) throws(WorkerAddressError) -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65_535).contains(port)
        else { throw WorkerAddressError(address: address) }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw WorkerAddressError(address: address) }
        return (host, port)
    }
}

/// `--listen` is not `host:port`.
public struct WorkerAddressError: Error, Sendable, CustomStringConvertible {
    public var address: String
    public var description: String { "--listen must be host:port, not \(address)" }
}
