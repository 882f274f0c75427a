import Domain
import Foundation
import MySQLClient
import Replication
import Schema

/// DM's `check-task`: what would stop a task from replicating, checked against the live sources and
/// target before it starts. The master runs it because it holds the sources' configs.
///
/// Per source: the privileges DM asks for (REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD),
/// `log_bin` on, `binlog_format` ROW, `binlog_row_image` FULL, a non-zero `server_id` distinct from the
/// other sources', and a primary or unique key on each of the task's tables (else a warning: updates and
/// deletes cannot be addressed exactly). Across sources: the shards merged into one table must be
/// compatible for the shard mode (pessimistic: the same columns; optimistic: schemas that join).
struct TaskPrecheck {
    var task: TaskConfig
    var sources: [SourceID: SourceConfig]

    /// One table of one source as `SHOW CREATE TABLE` describes it.
    private struct Shard {
        var source: SourceID
        var table: TableName
        var info: TableInfo
    }

    func run() async -> [PrecheckItem] {
        var items: [PrecheckItem] = []
        var serverIDs: [(SourceID, UInt32)] = []
        var shards: [TableName: [Shard]] = [:]
        for id in self.task.sourceIDs {
            guard let config = self.sources[id] else {
                items.append(PrecheckItem("source", scope: id.rawValue, .fail, "source \(id) does not exist; operate-source create it first"))
                continue
            }
            let connection: MySQLConnection
            do {
                connection = try await MySQLConnection.connect(Self.options(config.from, downstream: false))
            } catch {
                items.append(PrecheckItem("connection", scope: id.rawValue, .fail, "cannot connect to \(config.from.host):\(config.from.port): \(error)"))
                continue
            }
            items.append(await Self.privileges(connection, scope: id.rawValue))
            let (variables, serverID) = await Self.binlogVariables(connection, scope: id.rawValue)
            items += variables
            if let serverID { serverIDs.append((id, serverID)) }
            let (tableItems, found) = await self.tables(connection, source: id)
            await connection.close()
            items += tableItems
            for shard in found { shards[shard.table, default: []].append(shard) }
        }
        items += Self.distinctServerIDs(serverIDs)
        items += self.shardCompatibility(shards)
        items.append(await self.target())
        return items
    }

    /// The replication options with a short connect timeout: a check must answer, not hang on a dead host.
    private static func options(_ database: DatabaseConfig, downstream: Bool) -> MySQLConnectOptions {
        var options = SyncerConfiguration.options(database, downstream: downstream)
        options.connectTimeout = .seconds(10)
        return options
    }

    private static func privileges(_ connection: MySQLConnection, scope: String) async -> PrecheckItem {
        let grants: String
        do {
            grants = try await connection.query("SHOW GRANTS FOR CURRENT_USER()").rows.compactMap { $0.string(0) }
                .joined(separator: "\n").uppercased()
        } catch {
            return PrecheckItem("privileges", scope: scope, .fail, "cannot read the grants: \(error)")
        }
        if grants.contains("ALL PRIVILEGES ON *.*") { return PrecheckItem("privileges", scope: scope, .pass, "ALL PRIVILEGES") }
        // MariaDB 10.5+ prints REPLICATION CLIENT as BINLOG MONITOR, and may spell SLAVE as REPLICA.
        let required: [(name: String, spellings: [String])] = [
            ("REPLICATION SLAVE", ["REPLICATION SLAVE", "REPLICATION REPLICA"]),
            ("REPLICATION CLIENT", ["REPLICATION CLIENT", "BINLOG MONITOR"]),
            ("SELECT", ["SELECT"]),
            ("RELOAD", ["RELOAD"]),
        ]
        let missing = required.filter { need in !need.spellings.contains { grants.contains($0) } }.map(\.name)
        guard missing.isEmpty else {
            return PrecheckItem("privileges", scope: scope, .fail, "missing \(missing.joined(separator: ", ")) (GRANT them to the source's user)")
        }
        return PrecheckItem("privileges", scope: scope, .pass, required.map(\.name).joined(separator: ", "))
    }

    private static func binlogVariables(_ connection: MySQLConnection, scope: String) async -> ([PrecheckItem], UInt32?) {
        let row: MySQLRow
        do {
            guard let first = try await connection.query(
                "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image, @@GLOBAL.server_id"
            ).rows.first else { return ([PrecheckItem("binlog", scope: scope, .fail, "cannot read the binlog settings")], nil) }
            row = first
        } catch {
            return ([PrecheckItem("binlog", scope: scope, .fail, "cannot read the binlog settings: \(error)")], nil)
        }
        var items: [PrecheckItem] = []
        let logBin = row.string(0) ?? ""
        items.append(logBin == "1" || logBin.uppercased() == "ON"
            ? PrecheckItem("log_bin", scope: scope, .pass, "ON")
            : PrecheckItem("log_bin", scope: scope, .fail, "log_bin is off: start the server with --log-bin"))
        let format = (row.string(1) ?? "").uppercased()
        items.append(format == "ROW"
            ? PrecheckItem("binlog_format", scope: scope, .pass, "ROW")
            : PrecheckItem("binlog_format", scope: scope, .fail, "binlog_format is \(format), must be ROW (SET GLOBAL binlog_format = 'ROW')"))
        let image = (row.string(2) ?? "").uppercased()
        items.append(image == "FULL"
            ? PrecheckItem("binlog_row_image", scope: scope, .pass, "FULL")
            : PrecheckItem("binlog_row_image", scope: scope, .fail, "binlog_row_image is \(image), must be FULL"))
        let serverID = row.string(3).flatMap { UInt32($0) } ?? 0
        if serverID == 0 {
            items.append(PrecheckItem("server_id", scope: scope, .fail, "server_id is 0: a source needs a non-zero server_id"))
            return (items, nil)
        }
        return (items, serverID)
    }

    private static func distinctServerIDs(_ ids: [(SourceID, UInt32)]) -> [PrecheckItem] {
        var bySource: [UInt32: [SourceID]] = [:]
        for (source, id) in ids { bySource[id, default: []].append(source) }
        return ids.map { source, id in
            let sharing = bySource[id, default: []].filter { $0 != source }
            return sharing.isEmpty
                ? PrecheckItem("server_id", scope: source.rawValue, .pass, "\(id)")
                : PrecheckItem(
                    "server_id", scope: source.rawValue, .fail,
                    "server_id \(id) is also the server_id of \(sharing.map(\.rawValue).sorted().joined(separator: ", "))")
        }
    }

    /// The source's tables the task replicates, each with a key check; the shards under their routed target.
    private func tables(_ connection: MySQLConnection, source: SourceID) async -> ([PrecheckItem], [Shard]) {
        let router: Router
        do {
            router = try Router(task: self.task, source: source)
        } catch {
            return ([PrecheckItem("rules", scope: source.rawValue, .fail, "\(error)")], [])
        }
        var items: [PrecheckItem] = []
        var shards: [Shard] = []
        do {
            let listed = try await connection.query(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE='BASE TABLE'")
            let names = listed.rows.compactMap { row -> TableName? in
                guard let schema = row.string(0), let table = row.string(1) else { return nil }
                let name = TableName(schema: schema, table: table)
                return router.allows(name) ? name : nil
            }.sorted()
            var keyless: [String] = []
            for name in names {
                guard let text = try await connection.query("SHOW CREATE TABLE \(name.quoted)").rows.first?.string(1),
                    case .createTable(let create) = try DDLParser.parse(text)
                else { continue }
                var info = TableInfo(create, defaultSchema: name.schema)
                info.schema = name.schema
                info.table = name.table
                if !info.indexes.contains(where: \.kind.isUnique) { keyless.append(name.description) }
                shards.append(Shard(source: source, table: router.route(name), info: info))
            }
            items.append(keyless.isEmpty
                ? PrecheckItem("table_key", scope: source.rawValue, .pass, "\(names.count) tables, each with a primary or unique key")
                : PrecheckItem(
                    "table_key", scope: source.rawValue, .warn,
                    "no primary or unique key: \(keyless.joined(separator: ", ")) (updates and deletes match whole rows)"))
        } catch {
            items.append(PrecheckItem("tables", scope: source.rawValue, .fail, "cannot read the task's tables: \(error)"))
        }
        return (items, shards)
    }

    private func shardCompatibility(_ shards: [TableName: [Shard]]) -> [PrecheckItem] {
        var items: [PrecheckItem] = []
        for (target, group) in shards.sorted(by: { $0.key < $1.key }) where group.count > 1 {
            let names = group.map { "\($0.source)/\($0.info.schema).\($0.info.table)" }
            switch self.task.shardMode {
            case nil:
                items.append(PrecheckItem(
                    "shard_schema", scope: "", .warn,
                    "\(names.joined(separator: ", ")) all go to \(target) but the task has no shard-mode"))
            case .pessimistic:
                let first = group[0]
                let reference = first.info.columns.map { "\($0.name) \($0.type)" }
                let differing = group.dropFirst().filter { $0.info.columns.map { "\($0.name) \($0.type)" } != reference }
                items.append(differing.isEmpty
                    ? PrecheckItem("shard_schema", scope: "", .pass, "\(group.count) shards of \(target) have the same columns")
                    : PrecheckItem(
                        "shard_schema", scope: "", .fail,
                        "pessimistic mode needs the same columns in every shard of \(target): "
                            + differing.map { "\($0.source)/\($0.info.schema).\($0.info.table)" }.joined(separator: ", ")
                            + " differ from \(first.source)/\(first.info.schema).\(first.info.table)"))
            case .optimistic:
                var joined = group[0].info
                var failure: String?
                for shard in group.dropFirst() {
                    do {
                        joined = try SchemaLattice.join(joined, shard.info)
                    } catch {
                        failure = "\(shard.source)/\(shard.info.schema).\(shard.info.table) does not join the other shards of \(target): \(error)"
                        break
                    }
                }
                items.append(failure.map { PrecheckItem("shard_schema", scope: "", .fail, $0) }
                    ?? PrecheckItem("shard_schema", scope: "", .pass, "\(group.count) shards of \(target) join"))
            }
        }
        return items
    }

    private func target() async -> PrecheckItem {
        let target = self.task.targetDatabase
        do {
            let connection = try await MySQLConnection.connect(Self.options(target, downstream: true))
            await connection.close()
            return PrecheckItem("connection", scope: "target", .pass, "\(target.host):\(target.port)")
        } catch {
            return PrecheckItem("connection", scope: "target", .fail, "cannot connect to \(target.host):\(target.port): \(error)")
        }
    }
}
