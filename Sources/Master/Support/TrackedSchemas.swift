import Domain
import MySQLClient
import Replication
import Schema

/// What `binlog-schema` reads and checks on the master: the schemas a subtask tracks, read from its
/// downstream checkpoint table (`<meta>.<task>_syncer_checkpoint`, the table-info rows), and the
/// `SHOW CREATE TABLE` of an upstream or routed downstream table for `--from-source|--from-target`.
///
/// Why the checkpoint and not the worker: the subtask starts from exactly these rows, they exist
/// whether the subtask runs, is paused or its worker is down, and the master already holds the
/// credentials (task and source configs), so no master-to-worker call is needed. While a subtask runs,
/// a table's row is as of its last DDL the subtask persisted.
enum TrackedSchemas {
    /// The table-info rows of subtask (task, source) and the highest schema operation applied to them.
    static func read(task: TaskConfig, source: SourceID) async throws(APIFailure) -> CheckpointTable.Loaded {
        let checkpoint = CheckpointTable(metaSchema: task.metaSchema, task: "\(task.name)", source: "\(source)", epoch: 0)
        let connection = try await self.connect(task.targetDatabase, what: "the downstream")
        defer { Task { await connection.close() } }
        do {
            return try await connection.withSession { (session) throws(MySQLError) in try checkpoint.read(session) }
        } catch {
            throw APIFailure(status: 502, code: "downstream", message: "reading checkpoint \(checkpoint.name): \(error)")
        }
    }

    /// `SHOW CREATE TABLE` of `table` on `database`.
    static func showCreateTable(_ table: TableName, on database: DatabaseConfig, what: String) async throws(APIFailure) -> String {
        let connection = try await self.connect(database, what: what)
        defer { Task { await connection.close() } }
        let text: String?
        do {
            text = try await connection.query("SHOW CREATE TABLE \(table.quoted)").rows.first?.string(1)
        } catch where error.serverErrno == 1146 {
            throw APIFailure.notFound("table \(table) does not exist on \(what)")
        } catch {
            throw APIFailure(status: 502, code: "unavailable", message: "SHOW CREATE TABLE \(table) on \(what): \(error)")
        }
        guard let text else { throw APIFailure.notFound("SHOW CREATE TABLE \(table) on \(what) returned nothing") }
        return text
    }

    /// The schema a CREATE TABLE statement gives `table`, or a 400 naming why it cannot be tracked.
    static func parse(_ sql: String, as table: TableName, field: String) throws(APIFailure) -> TableInfo {
        var tracker = SchemaTracker()
        do {
            try tracker.load(table, createTableSQL: sql)
        } catch {
            throw .badRequest(error.message, field: field)
        }
        guard let info = tracker.info(table) else { throw .badRequest("not a CREATE TABLE statement", field: field) }
        return info
    }

    /// The tracked schema as one `CREATE TABLE` naming the table alone, as DM prints it.
    static func render(_ info: TableInfo, table: String) -> String {
        DDLStatement.createTable(info.createTable).rendered(renaming: { _ in QualifiedName(table) })
    }

    private static func connect(_ database: DatabaseConfig, what: String) async throws(APIFailure) -> MySQLConnection {
        do {
            var options = SyncerConfiguration.options(database, downstream: false)
            options.connectTimeout = .seconds(5)
            return try await MySQLConnection.connect(options)
        } catch {
            throw APIFailure(status: 502, code: "unavailable", message: "cannot connect to \(what): \(error)")
        }
    }
}
