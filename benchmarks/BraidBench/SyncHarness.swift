import Domain
import Foundation
import Logging
import MySQLClient
import Replication
import Schema

/// Runs Braid's `Syncer` in process, as the worker's binlog runner would, without a master: the
/// shard DDL coordination is answered by `BenchLockHub` (below) instead of the master's deciders.
enum SyncHarness {
    struct Instance {
        var sourceID: String
        var port: Int
        var start: MySQLClient.BinlogPosition
        var serverID: UInt32
    }

    /// A DM task.yaml for the instances; `routes` maps `shard*`.`tb*` to `merged`.`tb`.
    static func taskYAML(
        name: String, downstreamPort: Int, doDBs: [String], instances: [Instance], workerCount: Int, batch: Int,
        shardMode: String?, routes: Bool, targetSchema: String = "merged"
    ) -> String {
        var yaml = """
            name: "\(name)"
            task-mode: incremental
            meta-schema: dm_meta

            """
        if let shardMode { yaml += "shard-mode: \(shardMode)\n" }
        yaml += """
            target-database:
              host: "127.0.0.1"
              port: \(downstreamPort)
              user: "\(BenchMariaDB.user)"
              password: "\(BenchMariaDB.password)"
            block-allow-list:
              ba:
                do-dbs: [\(doDBs.map { "\"\($0)\"" }.joined(separator: ", "))]
            routes:
              tables:
                schema-pattern: "shard*"
                table-pattern: "tb*"
                target-schema: \(targetSchema)
                target-table: tb
              schemas:
                schema-pattern: "shard*"
                target-schema: \(targetSchema)
            syncers:
              global:
                worker-count: \(workerCount)
                batch: \(batch)
            mysql-instances:

            """
        for instance in instances {
            yaml += """
                  - source-id: "\(instance.sourceID)"
                    block-allow-list: ba
                    syncer-config-name: global
                    meta:
                      binlog-name: "\(instance.start.file)"
                      binlog-pos: \(instance.start.position)

                """
            if routes { yaml += "    route-rules: [tables, schemas]\n" }
        }
        return yaml
    }

    static func source(_ instance: Instance) throws -> SourceConfig {
        try SourceConfig.load(
            yaml: """
                source-id: "\(instance.sourceID)"
                flavor: mariadb
                server-id: \(instance.serverID)
                from:
                  host: "127.0.0.1"
                  port: \(instance.port)
                  user: "\(BenchMariaDB.user)"
                  password: "\(BenchMariaDB.password)"
                """
        ).config
    }

    /// One subtask's engine reading its source's binlog to the end (`.untilEnd`), then returning.
    static func syncer(
        task: TaskConfig, instance: Instance, coordinator: any ShardDDLCoordinator, mode: BinlogStreamOptions.Mode = .untilEnd
    ) throws -> Syncer {
        let source = try self.source(instance)
        var logger = Logger(label: "bench.sync")
        logger.logLevel = ProcessInfo.processInfo.environment["BENCH_LOG"] == "1" ? .info : .warning
        let upstream = SyncerConfiguration.options(source.from, downstream: false)
        return try Syncer(
            SyncerConfiguration(
                task: task, source: source, epoch: 1, upstream: upstream,
                downstream: SyncerConfiguration.options(task.targetDatabase, downstream: true),
                reader: BinlogUpstreamReader(connection: upstream, serverID: instance.serverID, mode: mode),
                coordinator: coordinator, reporter: NullReporter(), logger: logger))
    }

    static func masterStatus(_ options: MySQLConnectOptions) async throws -> MySQLClient.BinlogPosition {
        let connection = try await MySQLConnection.connect(options)
        defer { Task { await connection.close() } }
        let status = try await connection.query("SHOW MASTER STATUS").rows[0]
        return MySQLClient.BinlogPosition(file: status.string(0)!, position: UInt64(status.string(1)!)!)
    }

    static func scalar(_ options: MySQLConnectOptions, _ sql: String) async throws -> String? {
        let connection = try await MySQLConnection.connect(options)
        defer { Task { await connection.close() } }
        return try await connection.query(sql).rows.first?.string(0)
    }

    static func execute(_ options: MySQLConnectOptions, _ statements: [String]) async throws {
        let connection = try await MySQLConnection.connect(options)
        defer { Task { await connection.close() } }
        for statement in statements { try await connection.execute(statement) }
    }

    static func options(port: Int) -> MySQLConnectOptions {
        MySQLConnectOptions(endpoint: .tcp(host: "127.0.0.1", port: port), user: BenchMariaDB.user, password: BenchMariaDB.password)
    }

    /// Load average as /proc/loadavg says.
    static var loadAverage: String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}

struct NullReporter: SyncProgressReporter {
    func checkpoint(binlogName: String, binlogPos: UInt32, gtid: String?) async {}
    func progress(_ progress: SyncProgress) async {}
}

/// Answers shard DDLs for N sources in place of the master:
/// - pessimistic: every source waits until all have reached the DDL; the first to arrive (the
///   owner) executes it, then the others are released with `exec: false`;
/// - optimistic: the first shard table to report a DDL executes it; a later one with the same DDL
///   waits until that execution finished and skips (the target already has the column).
/// It records when each lock was first reached, when the last shard reached it, and when it was
/// released, which is the stall the benchmark reports.
actor BenchLockHub {
    struct Lock {
        var arrivals: [String] = []
        var firstArrival: ContinuousClock.Instant
        var lastArrival: ContinuousClock.Instant?
        var executed: ContinuousClock.Instant?
        var released: ContinuousClock.Instant?
        var allArrived: [CheckedContinuation<Void, Never>] = []
        var doneWaiters: [CheckedContinuation<Void, Never>] = []
        var done = false
    }

    private(set) var locks: [String: Lock] = [:]
    private(set) var order: [String] = []

    /// Registers an arrival; returns whether the caller owns the lock (executes the DDL). `members`
    /// is how many arrivals complete the lock.
    func arrive(_ key: String, member: String, members: Int, needAll: Bool) async -> Bool {
        let now = ContinuousClock.now
        if self.locks[key] == nil {
            self.locks[key] = Lock(firstArrival: now)
            self.order.append(key)
        }
        self.locks[key]!.arrivals.append(member)
        let owner = self.locks[key]!.arrivals.count == 1
        if needAll {
            if self.locks[key]!.arrivals.count >= members {
                self.locks[key]!.lastArrival = now
                for waiter in self.locks[key]!.allArrived { waiter.resume() }
                self.locks[key]!.allArrived = []
            } else {
                await withCheckedContinuation { self.locks[key]!.allArrived.append($0) }
            }
        } else if self.locks[key]!.arrivals.count >= members {
            self.locks[key]!.lastArrival = now
        }
        if !owner, !self.locks[key]!.done {
            await withCheckedContinuation { self.locks[key]!.doneWaiters.append($0) }
        }
        return owner
    }

    func executed(_ key: String) {
        self.locks[key]!.executed = ContinuousClock.now
        self.locks[key]!.done = true
        for waiter in self.locks[key]!.doneWaiters { waiter.resume() }
        self.locks[key]!.doneWaiters = []
    }

    func released(_ key: String) {
        self.locks[key]!.released = ContinuousClock.now
    }

    func reset() {
        self.locks = [:]
        self.order = []
    }
}

struct BenchCoordinator: ShardDDLCoordinator {
    let member: String
    let hub: BenchLockHub
    /// Sources in the task (pessimistic lock members) and shard tables in all (optimistic).
    let sources: Int
    let tables: Int

    func reportSourceTables(_ tables: [(upstream: TableName, target: TableName, info: TableInfo)]) async throws(ReplicationError) {}

    func coordinate(
        _ request: ShardDDLRequest, apply: @Sendable (ShardDDLVerdict) async throws(ReplicationError) -> Void
    ) async throws(ReplicationError) -> ShardDDLVerdict {
        let key: String
        let ddls: [String]
        let member: String
        let needAll: Bool
        switch request {
        case .pessimistic(let target, let statements):
            key = "pessimistic-\(target.quoted)"
            ddls = statements
            member = self.member
            needAll = true
        case .optimistic(let upstream, let target, let statements, _, _, _, _):
            key = "optimistic-\(target.quoted)-\(statements.joined(separator: ";"))"
            ddls = statements
            member = "\(self.member)/\(upstream)"
            needAll = false
        }
        let owner = await self.hub.arrive(key, member: member, members: needAll ? self.sources : self.tables, needAll: needAll)
        let verdict = ShardDDLVerdict(lockID: key, exec: owner, ddls: ddls)
        try await apply(verdict)
        if owner { await self.hub.executed(key) }
        await self.hub.released(key)
        return verdict
    }
}
