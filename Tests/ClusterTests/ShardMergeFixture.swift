import BraidTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MySQLClient
import Testing

/// The DM shard fixture (dm-reference §3.0) for real: two upstream MariaDB servers and one downstream,
/// a `braid master` and two `braid worker`s running the binlog data plane, driven through `braid ctl`.
final class ShardMergeFixture: @unchecked Sendable {
    let cluster: ProcessCluster
    let masterPort: UInt16
    /// HA mode: the etcd cluster the three masters share (`nil`: one embedded master).
    let etcd: EtcdCluster?
    let haPorts: [UInt16]
    /// HA: the masters' `--etcd-compact-interval` (snapshot, truncation and compaction cycle).
    let haMaintenance: String
    var master: String {
        self.etcd == nil ? "127.0.0.1:\(self.masterPort)" : self.haPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",")
    }
    let upstreams: [MariaDBServer]
    let downstream: MariaDBServer
    private var workerPorts: [String: UInt16] = [:]

    static let sources = ["mysql-replica-01", "mysql-replica-02"]

    private init(
        cluster: ProcessCluster, upstreams: [MariaDBServer], downstream: MariaDBServer, etcd: EtcdCluster? = nil, haMaintenance: String = "2s"
    ) {
        self.cluster = cluster
        self.haMaintenance = haMaintenance
        self.masterPort = ProcessCluster.freePort()
        self.etcd = etcd
        self.haPorts = etcd == nil ? [] : (0..<3).map { _ in ProcessCluster.freePort() }
        self.upstreams = upstreams
        self.downstream = downstream
    }

    /// Starts the servers, the master and two workers, and creates both sources.
    /// - Parameter etcd: HA mode: three `braid master --etcd` on it instead of one embedded master.
    static func start(
        label: String, workers: [String] = ["worker1", "worker2"], etcd: EtcdCluster? = nil, haMaintenance: String = "2s"
    ) async throws -> ShardMergeFixture {
        async let up1 = MariaDBServer.start(.init(serverID: 1))
        async let up2 = MariaDBServer.start(.init(serverID: 2))
        async let down = MariaDBServer.start(.init(serverID: 3))
        let fixture = ShardMergeFixture(
            cluster: try ProcessCluster(label: label), upstreams: [try await up1, try await up2], downstream: try await down, etcd: etcd,
            haMaintenance: haMaintenance)
        if etcd == nil {
            try fixture.startMaster()
        } else {
            for i in 1...3 { try fixture.startHAMaster(i) }
        }
        #expect(try await eventually { (try? await fixture.ctl(["list-member"]).status) == 0 })
        for worker in workers { try fixture.startWorker(worker) }
        for (index, source) in Self.sources.enumerated() {
            let created = try await fixture.ctl(["operate-source", "create", try fixture.writeSource(source, server: fixture.upstreams[index])])
            #expect(created.status == 0, "\(created.text)")
        }
        // Every source bound before any test starts a task.
        #expect(try await eventually { try await fixture.boundSources().count == min(workers.count, Self.sources.count) })
        return fixture
    }

    /// Starts a fixture, runs `body` on it, and shuts it down whether `body` throws or not.
    static func with(
        label: String, workers: [String] = ["worker1", "worker2"], etcd: EtcdCluster? = nil, haMaintenance: String = "2s",
        _ body: (ShardMergeFixture) async throws -> Void
    ) async throws {
        let f = try await Self.start(label: label, workers: workers, etcd: etcd, haMaintenance: haMaintenance)
        do {
            try await body(f)
        } catch {
            await f.shutdown()
            throw error
        }
        await f.shutdown()
    }

    /// The tasks whose subtasks a worker still runs, from its `GET /status` on `--listen`.
    func workerTasks() async -> Set<String> {
        var tasks: Set<String> = []
        for port in self.workerPorts.values {
            guard let url = URL(string: "http://127.0.0.1:\(port)/status"),
                let (data, _) = try? await URLSession.shared.data(from: url),
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            else { continue }
            for subtask in object["subtasks"] as? [[String: Any]] ?? [] {
                if let task = subtask["task"] as? String { tasks.insert(task) }
            }
        }
        return tasks
    }

    /// Every subtask's stage as its worker's `GET /status` shows it: "task@source" → stage.
    func workerStages() async -> [String: String] {
        var stages: [String: String] = [:]
        for port in self.workerPorts.values {
            guard let url = URL(string: "http://127.0.0.1:\(port)/status"),
                let (data, _) = try? await URLSession.shared.data(from: url),
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            else { continue }
            for subtask in object["subtasks"] as? [[String: Any]] ?? [] {
                if let task = subtask["task"] as? String, let source = subtask["source"] as? String {
                    stages["\(task)@\(source)"] = subtask["stage"] as? String
                }
            }
        }
        return stages
    }

    /// Every subtask's stage as the master's `query-status` shows it: "source" → stage.
    func masterStages(_ task: String) async throws -> [String: String] {
        let status = try await self.ctl(["query-status", task]).json["status"] as? [String: Any]
        var stages: [String: String] = [:]
        for entry in status?["subtasks"] as? [[String: Any]] ?? [] {
            if let source = entry["source"] as? String { stages[source] = (entry["status"] as? [String: Any])?["stage"] as? String }
        }
        return stages
    }

    /// The sources that have a worker, as `operate-source show` says.
    func boundSources() async throws -> [String] {
        let sources = try await self.ctl(["operate-source", "show"]).json["sources"] as? [[String: Any]] ?? []
        return sources.compactMap { entry in
            guard let worker = entry["worker"] as? String, !worker.isEmpty else { return nil }
            return entry["source"] as? String
        }
    }

    /// Stops every process and server (by PID) and removes their files.
    func shutdown() async {
        self.cluster.stopAll()
        // BRAID_KEEP_LOGS=1 keeps every process log for a post-mortem.
        if ProcessInfo.processInfo.environment["BRAID_KEEP_LOGS"] == "1" {
            let keep = NSTemporaryDirectory() + "braid-logs-" + (self.cluster.root as NSString).lastPathComponent
            try? FileManager.default.copyItem(atPath: self.cluster.root, toPath: keep)
            print("logs kept in \(keep)")
        }
        for server in self.upstreams + [self.downstream] { try? await server.shutdown() }
    }

    func startMaster() throws {
        try self.cluster.start(
            "master",
            ["master", "--data-dir", self.cluster.root + "/master", "--listen", self.master, "--keepalive-ttl", "10s",
             "--tick-interval", "200ms"])
    }

    /// HA master `m<i>` (election TTL 2 s, the etcd minimum, to keep failovers short).
    func startHAMaster(_ i: Int) throws {
        guard let etcd = self.etcd else { return }
        try self.cluster.start(
            "m\(i)",
            ["master", "--data-dir", self.cluster.root + "/m\(i)", "--listen", "127.0.0.1:\(self.haPorts[i - 1])", "--name", "m\(i)",
             "--etcd", etcd.endpoints.joined(separator: ","), "--election-ttl", "2s", "--keepalive-ttl", "10s", "--tick-interval", "200ms",
             // Compaction runs during the test, under followers that restart and fall behind.
             "--etcd-compact-interval", self.haMaintenance])
    }

    /// The HA leader's name, from `list-member --leader`.
    func haLeader() async throws -> String? {
        let members = try await self.ctl(["list-member", "--leader"]).json["members"] as? [[String: Any]] ?? []
        return members.compactMap { ($0["leader"] as? [String: Any])?["name"] as? String }.first
    }

    func startWorker(_ name: String) throws {
        let port = self.workerPorts[name] ?? ProcessCluster.freePort()
        self.workerPorts[name] = port
        try self.cluster.start(
            name, ["worker", "--name", name, "--master", self.master, "--runner", "binlog", "--listen", "127.0.0.1:\(port)"])
    }

    @discardableResult
    func ctl(_ arguments: [String]) async throws -> (status: Int32, json: [String: Any], text: String) {
        let (status, text) = try await self.cluster.run(["ctl", "--master", self.master] + arguments)
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return (status, json, text)
    }

    func writeSource(_ id: String, server: MariaDBServer) throws -> String {
        let path = self.cluster.root + "/\(id).yaml"
        try """
            source-id: "\(id)"
            flavor: mariadb
            from:
              host: "127.0.0.1"
              port: \(server.port)
              user: "\(server.user)"
              password: "\(server.password)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// DM's task: `shardddl*`.`tb*` → `shardddl`.`tb`, do-dbs shardddl1/2.
    func writeTask(
        _ name: String, shardMode: String?, taskMode: String = "incremental", sources: [String] = ShardMergeFixture.sources,
        workerCount: Int = 4, batch: Int = 100, safeMode: Bool = false, routes: Bool = true
    ) throws -> String {
        let path = self.cluster.root + "/\(name).yaml"
        var yaml = """
            name: "\(name)"
            task-mode: \(taskMode)
            meta-schema: dm_meta
            target-database:
              host: "127.0.0.1"
              port: \(self.downstream.port)
              user: "\(self.downstream.user)"
              password: "\(self.downstream.password)"
            block-allow-list:
              ba:
                do-dbs: ["shardddl1", "shardddl2"]
            routes:
              tables:
                schema-pattern: "shardddl*"
                table-pattern: "tb*"
                target-schema: shardddl
                target-table: tb
              schemas:
                schema-pattern: "shardddl*"
                target-schema: shardddl
            syncers:
              global:
                worker-count: \(workerCount)
                batch: \(batch)
                safe-mode: \(safeMode)
            mysql-instances:

            """
        if let shardMode { yaml += "shard-mode: \(shardMode)\n" }
        for s in sources {
            yaml += "  - source-id: \"\(s)\"\n    block-allow-list: ba\n" + (routes ? "    route-rules: [tables, schemas]\n" : "")
                + "    syncer-config-name: global\n"
        }
        // mysql-instances must be last for the appended lines above; move shard-mode before it.
        if let shardMode {
            yaml = yaml.replacingOccurrences(of: "shard-mode: \(shardMode)\n", with: "")
            yaml = "shard-mode: \(shardMode)\n" + yaml
        }
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `init_table` of DM's fixture: e.g. `[(0, "shardddl1.tb1"), (1, "shardddl1.tb1")]`.
    func createTables(_ tables: [(source: Int, table: String)], definition: String = "(id INT PRIMARY KEY, v VARCHAR(40))") async throws {
        for (source, table) in tables {
            try await self.exec(source, "CREATE DATABASE IF NOT EXISTS \(table.split(separator: ".")[0])")
            try await self.exec(source, "CREATE TABLE \(table) \(definition)")
        }
    }

    func exec(_ source: Int, _ sql: String) async throws {
        let connection = try await self.upstreams[source].connect()
        defer { Task { await connection.close() } }
        try await connection.execute(sql)
    }

    func downstreamQuery(_ sql: String) async throws -> [[String?]] {
        let connection = try await self.downstream.connect()
        defer { Task { await connection.close() } }
        return try await connection.query(sql).rows.map { row in (0..<row.count).map { row.string($0) } }
    }

    /// Every subtask of `task` reports stage Running in unit Sync.
    func isSyncing(_ task: String) async throws -> Bool {
        let status = try await self.ctl(["query-status", task]).json["status"] as? [String: Any]
        let subtasks = status?["subtasks"] as? [[String: Any]] ?? []
        return !subtasks.isEmpty && subtasks.allSatisfy { entry in
            let s = entry["status"] as? [String: Any]
            return s?["stage"] as? String == "Running" && s?["unit"] as? String == "Sync" && s?["error"] == nil
        }
    }

    /// The error any subtask of `task` reports, if one does.
    func subtaskError(_ task: String) async throws -> String? {
        let status = try await self.ctl(["query-status", task]).json["status"] as? [String: Any]
        let subtasks = status?["subtasks"] as? [[String: Any]] ?? []
        return subtasks.compactMap { ($0["status"] as? [String: Any])?["error"] as? String }.first
    }

    /// The merged upstream rows of `tables` (per source) as sorted text lines, and the downstream's.
    func mergedUpstream(_ tables: [(source: Int, table: String)], columns: String = "*", filter: String = "") async throws -> [String] {
        var lines: [String] = []
        for (source, table) in tables {
            let connection = try await self.upstreams[source].connect()
            let rows = try await connection.query("SELECT \(columns) FROM \(table)\(filter)").rows
            await connection.close()
            lines += rows.map { row in (0..<row.count).map { row.string($0) ?? "NULL" }.joined(separator: "|") }
        }
        return lines.sorted()
    }

    func downstreamRows(_ table: String = "shardddl.tb", columns: String = "*", filter: String = "") async throws -> [String] {
        let rows = (try? await self.downstreamQuery("SELECT \(columns) FROM \(table)\(filter)")) ?? []
        return rows.map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }.sorted()
    }

    /// DM's "consistent": the downstream target holds exactly the merged upstream rows.
    func consistent(_ tables: [(source: Int, table: String)], columns: String = "*") async throws -> Bool {
        try await self.mergedUpstream(tables, columns: columns) == self.downstreamRows(columns: columns)
    }
}
