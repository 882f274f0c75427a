import BraidTestSupport
import Ctl
import Foundation
import MasterClient
import MySQLClient
import Testing

/// `braid ctl check-task` against a real master and a real MariaDB server: a clean task passes every
/// check; STATEMENT binlogs, a table without a key, shards with different columns, a shared server id and
/// a user without replication privileges are each reported by name.
@Suite("check-task against a real MariaDB server")
struct CheckTaskTests {
    static func sourceYAML(_ id: String, _ server: MariaDBServer, user: String? = nil, password: String? = nil) -> String {
        """
        source-id: \(id)
        from:
          host: 127.0.0.1
          port: \(server.port)
          user: \(user ?? server.user)
          password: '\(password ?? server.password)'
        """
    }

    static func taskYAML(_ server: MariaDBServer, mode: String, sources: [String]) -> String {
        """
        name: checked
        task-mode: all
        shard-mode: \(mode)
        target-database: {host: 127.0.0.1, port: \(server.port), user: \(server.user), password: '\(server.password)'}
        block-allow-list:
          ba: {do-dbs: [shardddl1]}
        routes:
          tables: {schema-pattern: "shardddl*", table-pattern: "tb*", target-schema: shardddl, target-table: tb}
        mysql-instances:
        \(sources.map { "  - {source-id: \($0), block-allow-list: ba, route-rules: [tables]}" }.joined(separator: "\n"))
        """
    }

    typealias Check = (name: String, scope: String, state: String, message: String)

    static func checks(_ reply: [String: Any]) -> [Check] {
        (reply["checks"] as? [[String: Any]] ?? []).map {
            ($0["name"] as? String ?? "", $0["scope"] as? String ?? "", $0["state"] as? String ?? "", $0["message"] as? String ?? "")
        }
    }

    @Test func passesACleanTaskAndNamesEachProblem() async throws {
        try await withMariaDBServer(MariaDBServer.Configuration(serverID: 11)) { server in
            let db = try await server.connect()
            for sql in [
                "CREATE DATABASE shardddl1",
                "CREATE TABLE shardddl1.tb1 (id INT PRIMARY KEY, a INT)",
                "CREATE TABLE shardddl1.tb2 (id INT PRIMARY KEY, a INT)",
                "CREATE USER 'reader'@'%' IDENTIFIED BY 'reader-pw'",
                "GRANT SELECT ON *.* TO 'reader'@'%'",
            ] { _ = try await db.execute(sql) }
            try await withTemporaryDirectory("braid-check-task") { dir in
                for (id, user, password) in [("s1", nil, nil), ("s2", nil, nil), ("s3", "reader", "reader-pw")] as [(String, String?, String?)] {
                    try Self.sourceYAML(id, server, user: user, password: password)
                        .write(toFile: "\(dir)/\(id).yaml", atomically: true, encoding: .utf8)
                }
                try Self.taskYAML(server, mode: "pessimistic", sources: ["s1"]).write(toFile: dir + "/good.yaml", atomically: true, encoding: .utf8)
                try Self.taskYAML(server, mode: "pessimistic", sources: ["s1", "s2", "s3"]).write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
                try Self.taskYAML(server, mode: "optimistic", sources: ["s1"]).write(toFile: dir + "/optimistic.yaml", atomically: true, encoding: .utf8)

                try await LiveMaster.serve(dataDir: dir + "/master") { port in
                    let ctl = Ctl(client: try MasterClient(masters: ["127.0.0.1:\(port)"]))
                    func run(_ args: [String]) async throws -> (Int32, [String: Any]) {
                        let result = await ctl.run(args)
                        return (result.exitCode, try #require(try JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any]))
                    }
                    for id in ["s1", "s2", "s3"] {
                        let (code, reply) = try await run(["operate-source", "create", "\(dir)/\(id).yaml"])
                        #expect(code == 0, "\(reply)")
                    }

                    // 1. A clean task: every check passes.
                    var (code, reply) = try await run(["check-task", dir + "/good.yaml"])
                    #expect(code == 0 && reply["result"] as? Bool == true, "\(reply)")
                    var checks = Self.checks(reply)
                    #expect(!checks.isEmpty && checks.allSatisfy { $0.state == "pass" }, "\(checks)")
                    for name in ["privileges", "log_bin", "binlog_format", "binlog_row_image", "server_id", "table_key", "shard_schema", "connection"] {
                        #expect(checks.contains { $0.name == name }, "\(name) in \(checks)")
                    }

                    // 2. Problems: STATEMENT binlog, a keyless shard with an extra column, a shared server id, no privileges.
                    _ = try await db.execute("CREATE TABLE shardddl1.tb3 (id INT, a INT, b INT)")
                    _ = try await db.execute("SET GLOBAL binlog_format = 'STATEMENT'")
                    (code, reply) = try await run(["check-task", dir + "/bad.yaml"])
                    #expect(code == 1 && reply["result"] as? Bool == false, "\(reply)")
                    checks = Self.checks(reply)
                    func state(_ name: String, _ scope: String) -> Check? { checks.first { $0.name == name && $0.scope == scope } }
                    #expect(state("binlog_format", "s1")?.state == "fail", "\(checks)")
                    #expect(state("binlog_format", "s1")?.message.contains("STATEMENT") == true)
                    #expect(state("table_key", "s1")?.state == "warn")
                    #expect(state("table_key", "s1")?.message.contains("`shardddl1`.`tb3`") == true, "\(checks)")
                    #expect(state("server_id", "s1")?.state == "fail")
                    #expect(state("server_id", "s1")?.message.contains("s2") == true, "\(checks)")
                    #expect(state("privileges", "s1")?.state == "pass")
                    #expect(state("privileges", "s3")?.state == "fail")
                    #expect(state("privileges", "s3")?.message.contains("REPLICATION SLAVE") == true, "\(checks)")
                    #expect(state("privileges", "s3")?.message.contains("SELECT") == false)
                    let shard = checks.first { $0.name == "shard_schema" }
                    #expect(shard?.state == "fail" && shard?.message.contains("tb3") == true, "\(String(describing: shard))")
                    #expect((reply["summary"] as? [String: Any])?["warnings"] as? Int ?? 0 >= 1)

                    // --warn 0 / --error 1 limit what is shown, not what is counted.
                    (code, reply) = try await run(["check-task", dir + "/bad.yaml", "--warn", "0", "--error", "1"])
                    checks = Self.checks(reply)
                    #expect(code == 1 && !checks.contains { $0.state == "warn" } && checks.filter { $0.state == "fail" }.count == 1, "\(checks)")
                    #expect(((reply["summary"] as? [String: Any])?["failed"] as? Int ?? 0) > 1, "\(reply)")

                    // 3. Optimistic mode: the extra column joins; only the binlog format still fails.
                    (code, reply) = try await run(["check-task", dir + "/optimistic.yaml"])
                    checks = Self.checks(reply)
                    #expect(checks.first { $0.name == "shard_schema" }?.state == "pass", "\(checks)")
                    #expect(checks.filter { $0.state == "fail" }.map(\.name) == ["binlog_format"], "\(checks)")
                    _ = try await db.execute("SET GLOBAL binlog_format = 'ROW'")
                    (code, reply) = try await run(["check-task", dir + "/optimistic.yaml"])
                    #expect(code == 0, "\(reply)")
                }
            }
            await db.close()
        }
    }
}
