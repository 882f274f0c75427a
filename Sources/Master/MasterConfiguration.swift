import Foundation
import HA
import Yams

/// Everything `braid master` needs; the CLI fills it from flags and an optional `master.yaml`.
public struct MasterConfiguration: Sendable {
    public var name: String = "master"
    public var dataDir: String
    public var host: String = "127.0.0.1"
    public var port: Int = 8261
    /// The address other members use to reach this master (defaults to `host:port`).
    public var advertiseAddress: String?
    /// A worker whose last keepalive is older than this is expired by the ticker (DM: 60 s).
    public var keepaliveTTL: Duration = .seconds(10)
    /// How often the ticker issues `tick(now:ttl:)`.
    public var tickInterval: Duration = .seconds(1)
    /// Token-bucket refill per second; `nil` disables rate limiting.
    public var rateLimit: Double?
    public var rateBurst: Double?
    public var authTokenFile: String?
    public var secretKeyFile: String?
    public var maxBodyBytes: Int = 4 << 20
    /// Snapshot cadence, in events, of the leader loop and of an HA follower's warm fold (0: never).
    public var snapshotEvery: UInt64 = 10_000
    /// Upper bound on a watch long-poll, whatever the worker asks for.
    public var maxWatchTimeout: Duration = .seconds(60)

    /// etcd client endpoints; empty runs the embedded single master, non-empty runs HA.
    public var etcdEndpoints: [String] = []
    /// The Braid cluster's key prefix in etcd (`/braid/<cluster>/`), so clusters can share an etcd.
    public var cluster: String = "braid"
    /// The master election lease (HA): failover after a crash takes about this plus 0.6 s.
    public var electionTTL: Duration = .seconds(3)
    /// How often the leader snapshots into etcd, truncates the chunks behind the snapshot and
    /// compacts etcd's history (keeping one interval of it for watchers).
    public var etcdCompactInterval: Duration = .seconds(300)
    /// HA: how many group commits may be in flight to etcd at once (1: one at a time).
    public var etcdPipelineDepth: Int = EtcdLog.defaultPipelineDepth

    public init(dataDir: String) { self.dataDir = dataDir }

    /// `http://` plus the advertised address: where other members and redirects send clients.
    public var apiURL: String { "http://" + self.address }

    public var address: String { self.advertiseAddress ?? "\(self.host):\(self.port)" }

    /// `host:port` as given to `--listen`.
    public mutating func setListen(_ text: String) throws(MasterError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port)
        else { throw .configuration("--listen must be host:port, got \(text)") }
        let host = String(text[..<colon])
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    /// `10s`, `500ms`, `2m`, or a bare number of seconds.
    public static func parseDuration(_ text: String) throws(MasterError) -> Duration {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            if let value = Double(t.dropLast(suffix.count)), value > 0 {
                return .milliseconds(Int64((value * scale * 1000).rounded()))
            }
        }
        if let value = Double(t), value > 0 { return .milliseconds(Int64((value * 1000).rounded())) }
        throw .configuration("not a positive duration: \(text)")
    }

    /// Applies a `master.yaml` (kebab-case keys: name, listen, advertise-addr, keepalive-ttl,
    /// tick-interval, rate-limit, rate-burst, auth-token-file, secret-key-file, max-body-bytes).
    /// Command-line flags are applied after it, so they win.
    public mutating func apply(yaml text: String) throws(MasterError) {
        let root: [String: Any]
        do {
            guard let parsed = try Yams.load(yaml: text) as? [String: Any] else {
                throw MasterError.configuration("master config must be a mapping")
            }
            root = parsed
        } catch let error as MasterError {
            throw error
        } catch {
            throw .configuration("master config: \(error)")
        }
        func string(_ key: String) -> String? { root[key].map { "\($0)" } }
        if let v = string("name") { self.name = v }
        if let v = string("listen") ?? string("master-addr") { try self.setListen(v) }
        if let v = string("advertise-addr") { self.advertiseAddress = v }
        if let v = string("keepalive-ttl") { self.keepaliveTTL = try Self.parseDuration(v) }
        if let v = string("tick-interval") { self.tickInterval = try Self.parseDuration(v) }
        if let v = string("rate-limit") { self.rateLimit = Double(v) }
        if let v = string("rate-burst") { self.rateBurst = Double(v) }
        if let v = string("auth-token-file") { self.authTokenFile = v }
        if let v = string("secret-key-file") { self.secretKeyFile = v }
        if let v = string("max-body-bytes") {
            guard let n = Int(v.trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw .configuration("max-body-bytes: not a positive integer: \(v)")
            }
            self.maxBodyBytes = n
        }
        if let v = string("etcd") { self.etcdEndpoints = Self.parseEndpoints(v) }
        if let v = string("cluster") { self.cluster = v }
        if let v = string("election-ttl") { self.electionTTL = try Self.parseDuration(v) }
        if let v = string("etcd-compact-interval") { self.etcdCompactInterval = try Self.parseDuration(v) }
        if let v = string("snapshot-every") { self.snapshotEvery = try Self.parseCount(v, "snapshot-every") }
        if let v = string("etcd-pipeline-depth") { self.etcdPipelineDepth = try Self.parseDepth(v) }
    }

    /// `host:port[,host:port...]`, blanks around commas ignored.
    public static func parseEndpoints(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A pipeline depth: 1 to 16 appends in flight.
    public static func parseDepth(_ text: String) throws(MasterError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), (1...16).contains(value) else {
            throw .configuration("etcd-pipeline-depth: not an integer from 1 to 16: \(text)")
        }
        return value
    }

    /// A non-negative event count (0 turns the behaviour off).
    public static func parseCount(_ text: String, _ name: String) throws(MasterError) -> UInt64 {
        guard let value = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw .configuration("\(name): not a non-negative integer: \(text)")
        }
        return value
    }
}

extension Duration {
    /// Whole milliseconds, the unit of the deciders' clocks.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
