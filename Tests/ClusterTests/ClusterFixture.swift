import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A master plus scripted workers, driven through `braid ctl` like an operator would.
final class ClusterFixture {
    /// A restarted worker keeps its address: the master refuses a known name at a new address (as DM does).
    private var workerPorts: [String: UInt16] = [:]
    let cluster: ProcessCluster
    let masterPort: UInt16
    let scripts: String
    /// What workers and `braid ctl` get as `--master`: this fixture's one master, or an HA test's list.
    var masterList: String?
    var master: String { self.masterList ?? "127.0.0.1:\(self.masterPort)" }

    init(label: String) throws {
        self.cluster = try ProcessCluster(label: label)
        self.masterPort = ProcessCluster.freePort()
        self.scripts = self.cluster.root + "/scripts"
        try FileManager.default.createDirectory(atPath: self.scripts, withIntermediateDirectories: true)
    }

    func startMaster(ttl: String = "3s", extra: [String] = []) throws {
        try self.cluster.start("master", ["master", "--data-dir", self.cluster.root + "/master", "--listen", self.master,
                                          "--keepalive-ttl", ttl, "--tick-interval", "200ms"] + extra)
    }

    func startWorker(_ name: String) throws {
        let port = self.workerPorts[name] ?? ProcessCluster.freePort()
        self.workerPorts[name] = port
        try self.cluster.start(name, ["worker", "--name", name, "--master", self.master, "--runner", "scripted",
                                      "--listen", "127.0.0.1:\(port)"],
                               environment: ["BRAID_SCRIPT_DIR": self.scripts])
    }

    /// Runs `braid ctl` and returns its exit status and parsed JSON.
    @discardableResult
    func ctl(_ arguments: [String], extra: [String] = []) async throws -> (status: Int32, json: [String: Any], text: String) {
        let (status, text) = try await self.cluster.run(["ctl", "--master", self.master] + extra + arguments)
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return (status, json, text)
    }

    /// `list-member --worker` as name → (stage, source).
    func workers() async throws -> [String: (stage: String, source: String)] {
        let members = try await self.ctl(["list-member", "--worker"]).json["members"] as? [[String: Any]] ?? []
        var out: [String: (String, String)] = [:]
        for m in members {
            guard let w = m["worker"] as? [String: Any], let list = w["workers"] as? [[String: Any]] else { continue }
            for entry in list {
                out[entry["name"] as? String ?? ""] = (entry["stage"] as? String ?? "", entry["source"] as? String ?? "")
            }
        }
        return out
    }

    /// `GET <path>` on a worker's `--listen` address: status code and body.
    func workerHTTP(_ name: String, _ path: String) async throws -> (status: Int, body: String) {
        let port = try #require(self.workerPorts[name])
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The master's state (`GET /api/v1/log/state[?seq=N]`): the live projection, or rebuilt at `seq`.
    func masterState(seq: Int? = nil) async throws -> [String: Any] {
        let query = seq.map { "?seq=\($0)" } ?? ""
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://\(self.master)/api/v1/log/state\(query)")!)
        try #require((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func locks() async throws -> [[String: Any]] {
        try await self.ctl(["shard-ddl-lock"]).json["locks"] as? [[String: Any]] ?? []
    }

    func writeSource(_ id: String, password: String) throws -> String {
        let path = self.cluster.root + "/\(id).yaml"
        try """
            source-id: "\(id)"
            enable-gtid: false
            from:
              host: "127.0.0.1"
              port: 3306
              user: "root"
              password: "\(password)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func writeTask(_ name: String, mode: String, sources: [String]) throws -> String {
        let path = self.cluster.root + "/\(name).yaml"
        var yaml = """
            name: "\(name)"
            task-mode: incremental
            shard-mode: \(mode)
            target-database:
              host: "127.0.0.1"
              port: 4000
              user: "root"
              password: ""
            mysql-instances:

            """
        for s in sources { yaml += "  - source-id: \"\(s)\"\n" }
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A scripted subtask that reports one pessimistic DDL on `shardddl`.`tb`.
    func writePessimisticScript(task: String, source: String, ddl: String?) throws {
        let steps: [[String: Any]] = ddl.map { [["kind": "ddl", "mode": "pessimistic", "schema": "shardddl", "table": "tb", "ddls": [$0]]] } ?? []
        let data = try JSONSerialization.data(withJSONObject: ["steps": steps + [["kind": "checkpoint", "binlog_name": "mysql-bin.000001", "binlog_pos": 400]]])
        try data.write(to: URL(fileURLWithPath: self.scripts + "/\(task)-\(source).json"))
    }

    /// What a scripted subtask recorded (started, exec, skip, checkpoint, ...).
    func records(task: String, source: String) -> [String] {
        let text = (try? String(contentsOfFile: self.scripts + "/\(task)-\(source).record.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["event"] as? String
        }
    }
}
