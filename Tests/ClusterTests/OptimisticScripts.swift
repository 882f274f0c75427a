import Foundation
import Schema

/// Builds scripted-runner steps for an optimistic subtask: one upstream table whose schema the
/// script tracks, so each DDL step carries the TableInfo before and after it, as a data plane's
/// schema tracker would report it.
struct OptimisticScript {
    let upSchema: String
    let upTable: String
    let downSchema: String
    let downTable: String
    private(set) var schema: TableInfo
    private(set) var steps: [[String: Any]] = []

    /// - Parameter create: the upstream table's `CREATE TABLE`.
    init(create: String, upSchema: String, upTable: String, downSchema: String, downTable: String) throws {
        guard case .createTable(let statement) = try DDLParser.parse(create) else {
            throw ScriptError("not a CREATE TABLE: \(create)")
        }
        self.schema = TableInfo(statement, defaultSchema: upSchema)
        self.upSchema = upSchema
        self.upTable = upTable
        self.downSchema = downSchema
        self.downTable = downTable
    }

    /// Reports the table as routed to the downstream table (DM's source tables).
    mutating func sourceTables() throws {
        self.steps.append([
            "kind": "source_tables",
            "tables": [["up_schema": self.upSchema, "up_table": self.upTable, "down_schema": self.downSchema,
                        "down_table": self.downTable, "table_info": try Self.json(self.schema)]],
        ])
    }

    /// Waits for the test to create `<name>.gate`.
    mutating func gate(_ name: String) {
        self.steps.append(["kind": "gate", "name": name])
    }

    /// One DDL on the upstream table, with the schema before and after it.
    mutating func ddl(_ sql: String) throws {
        let after = try self.schema.applying(try DDLParser.parse(sql))
        self.steps.append([
            "kind": "ddl", "mode": "optimistic", "up_schema": self.upSchema, "up_table": self.upTable,
            "down_schema": self.downSchema, "down_table": self.downTable, "ddls": [sql],
            "before": try Self.json(self.schema), "after": [try Self.json(after)],
        ])
        self.schema = after
    }

    mutating func checkpoint(_ pos: Int) {
        self.steps.append(["kind": "checkpoint", "binlog_name": "mysql-bin.000001", "binlog_pos": pos])
    }

    func write(to path: String) throws {
        try JSONSerialization.data(withJSONObject: ["steps": self.steps]).write(to: URL(fileURLWithPath: path))
    }

    private static func json(_ info: TableInfo) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(info))
    }
}

struct ScriptError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ClusterFixture {
    /// An optimistic script for `shardddl1`.`tb1` of a source, merged into `shardddl`.`tb`.
    func optimisticScript() throws -> OptimisticScript {
        try OptimisticScript(
            create: "CREATE TABLE `shardddl1`.`tb1` (`id` INT PRIMARY KEY, `v` INT)", upSchema: "shardddl1", upTable: "tb1",
            downSchema: "shardddl", downTable: "tb")
    }

    func write(_ script: OptimisticScript, task: String, source: String) throws {
        try script.write(to: self.scripts + "/\(task)-\(source).json")
    }

    /// Lets scripted subtasks waiting at `gate` go on.
    func open(gate: String) throws {
        try Data().write(to: URL(fileURLWithPath: self.scripts + "/\(gate).gate"))
    }

    /// What a scripted subtask recorded, as full JSON objects (event, lock_id, ddls, detail).
    func recordObjects(task: String, source: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: self.scripts + "/\(task)-\(source).record.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The lock's tables from `shard-ddl-lock` as "source-`schema`.`table`" → (stage, synced, operation done).
    func lockTables(_ id: String) async throws -> [String: (stage: String, synced: Bool, done: Bool)]? {
        guard let lock = try await self.locks().first(where: { $0["id"] as? String == id }) else { return nil }
        var out: [String: (String, Bool, Bool)] = [:]
        for t in lock["tables"] as? [[String: Any]] ?? [] {
            let key = "\(t["source"] as? String ?? "")-`\(t["schema"] as? String ?? "")`.`\(t["table"] as? String ?? "")`"
            let op = t["operation"] as? [String: Any]
            out[key] = (t["stage"] as? String ?? "", t["synced"] as? Bool ?? false, op?["done"] as? Bool ?? false)
        }
        return out
    }

    /// The master's whole state as JSON (`braid log replay`), at `sequence` or the end; with `digest`,
    /// only `lastSequence` and the digest of its canonical binary encoding.
    func replayedState(until sequence: Int? = nil, digest: Bool = false) async throws -> [String: Any] {
        var arguments = ["log", "replay", "--data-dir", self.cluster.root + "/master"]
        if let sequence { arguments += ["--until-seq", "\(sequence)"] }
        if digest { arguments.append("--digest") }
        let out = try await self.cluster.run(arguments)
        guard out.status == 0, let state = try JSONSerialization.jsonObject(with: Data(out.output.utf8)) as? [String: Any] else {
            throw ScriptError("braid log replay failed: \(out.output)")
        }
        return state
    }
}
