import ArgumentParser
import Foundation
import Master

/// `braid master`: parses flags (over an optional `master.yaml`) and calls `Master.run`.
struct MasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master",
        abstract: "Run the master: the leader loop over the event log and the HTTP API."
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (the log lives in <data-dir>/log).")
    var dataDir: String

    @Option(help: "host:port to listen on.")
    var listen: String?

    @Option(help: "A master.yaml; flags override it.")
    var config: String?

    @Option(help: "Member name shown by list-member.")
    var name: String?

    @Option(name: .customLong("advertise-addr"), help: "Address other members use to reach this master.")
    var advertiseAddr: String?

    @Option(name: .customLong("keepalive-ttl"), help: "Worker keepalive TTL, e.g. 10s.")
    var keepaliveTTL: String?

    @Option(name: .customLong("tick-interval"), help: "Leader ticker interval, e.g. 1s.")
    var tickInterval: String?

    @Option(name: .customLong("rate-limit"), help: "Requests per second (token bucket); off when absent.")
    var rateLimit: Double?

    @Option(name: .customLong("rate-burst"), help: "Token bucket size (default: the rate).")
    var rateBurst: Double?

    @Option(name: .customLong("auth-token-file"), help: "Require 'Authorization: Bearer <token>' with the token in this file.")
    var authTokenFile: String?

    @Option(name: .customLong("secret-key-file"), help: "32-byte key (raw, hex or base64) sealing passwords sent to workers.")
    var secretKeyFile: String?

    @Option(name: .customLong("max-watch-timeout"), help: "Cap on a worker watch long-poll, e.g. 60s.")
    var maxWatchTimeout: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest accepted request body.")
    var maxBodyBytes: Int?

    @Option(help: "etcd endpoints host:port[,...]: run as one member of an HA cluster (embedded single master when absent).")
    var etcd: String?

    @Option(help: "The Braid cluster's name: its key prefix in etcd (default braid).")
    var cluster: String?

    @Option(name: .customLong("election-ttl"), help: "HA election lease TTL, e.g. 3s; a crashed leader is replaced after about this plus 0.6 s.")
    var electionTTL: String?

    @Option(name: .customLong("etcd-compact-interval"), help: "HA: how often the leader publishes a snapshot into etcd, deletes the log chunks behind it and compacts etcd's history, e.g. 5m (default).")
    var etcdCompactInterval: String?

    @Option(name: .customLong("snapshot-every"), help: "Write a snapshot of the state after this many events (default 10000; 0 never). Restarts fold only the records after the newest snapshot.")
    var snapshotEvery: String?

    @Option(name: .customLong("etcd-pipeline-depth"), help: "HA: how many group commits may be in flight to etcd at once, 1 to 16 (default 1; deeper pipelines only pay when etcd has cores and a network of its own).")
    var etcdPipelineDepth: String?

    func run() async throws {
        var configuration = MasterConfiguration(dataDir: self.dataDir)
        if let path = self.config {
            try configuration.apply(yaml: try String(contentsOfFile: path, encoding: .utf8))
        }
        if let v = self.name { configuration.name = v }
        if let v = self.listen { try configuration.setListen(v) }
        if let v = self.advertiseAddr { configuration.advertiseAddress = v }
        if let v = self.keepaliveTTL { configuration.keepaliveTTL = try MasterConfiguration.parseDuration(v) }
        if let v = self.tickInterval { configuration.tickInterval = try MasterConfiguration.parseDuration(v) }
        if let v = self.rateLimit { configuration.rateLimit = v }
        if let v = self.rateBurst { configuration.rateBurst = v }
        if let v = self.authTokenFile { configuration.authTokenFile = v }
        if let v = self.secretKeyFile { configuration.secretKeyFile = v }
        if let v = self.maxBodyBytes { configuration.maxBodyBytes = v }
        if let v = self.maxWatchTimeout { configuration.maxWatchTimeout = try MasterConfiguration.parseDuration(v) }
        if let v = self.etcd { configuration.etcdEndpoints = MasterConfiguration.parseEndpoints(v) }
        if let v = self.cluster { configuration.cluster = v }
        if let v = self.electionTTL { configuration.electionTTL = try MasterConfiguration.parseDuration(v) }
        if let v = self.etcdCompactInterval { configuration.etcdCompactInterval = try MasterConfiguration.parseDuration(v) }
        if let v = self.etcdPipelineDepth { configuration.etcdPipelineDepth = try MasterConfiguration.parseDepth(v) }
        if let v = self.snapshotEvery { configuration.snapshotEvery = try MasterConfiguration.parseCount(v, "--snapshot-every") }
        try await Master.run(configuration: configuration)
    }
}
