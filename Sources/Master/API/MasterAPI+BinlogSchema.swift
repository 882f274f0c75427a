import API
import Domain
import Projections
import Replication
import Scheduling

/// `binlog-schema list|update|delete` (DM's `binlog-schema`, paths as DM's
/// `/tasks/{task}/sources/{source}/schemas[/{db}[/{table}]]`).
///
/// Design: an update or delete is a task event (`schemaOperationSet`), like `binlog skip|replace`,
/// recorded only while the subtask is expected Paused. The subtask's worker receives it in its watch
/// view and restarts the subtask, whose Syncer applies it when it starts: the table-info row of its
/// checkpoint and the applied operation id are written in one fenced transaction, so a later restart
/// never re-applies it. The master resolves `--from-source|--from-target` into the `CREATE TABLE` text
/// before recording it, so the log says exactly what was set. Reads come from the checkpoint
/// (`TrackedSchemas`), with operations the subtask has not applied yet laid over it.
extension MasterAPI {
    public func listTrackedSchemas(_ input: Operations.listTrackedSchemas.Input) async throws
        -> Operations.listTrackedSchemas.Output
    {
        await self.answer("listTrackedSchemas", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let tracked = try await self.trackedSchemas(TaskName(input.path.task_hyphen_name), SourceID(input.path.source_hyphen_name))
            return .ok(.init(body: .json(Set(tracked.keys.map(\.schema)).sorted())))
        }
    }

    public func listTrackedTables(_ input: Operations.listTrackedTables.Input) async throws
        -> Operations.listTrackedTables.Output
    {
        await self.answer("listTrackedTables", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let tracked = try await self.trackedSchemas(TaskName(input.path.task_hyphen_name), SourceID(input.path.source_hyphen_name))
            let schema = input.path.schema_hyphen_name
            return .ok(.init(body: .json(tracked.keys.filter { $0.schema == schema }.map(\.table).sorted())))
        }
    }

    public func getTrackedSchema(_ input: Operations.getTrackedSchema.Input) async throws
        -> Operations.getTrackedSchema.Output
    {
        await self.answer("getTrackedSchema", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let (task, source) = (TaskName(input.path.task_hyphen_name), SourceID(input.path.source_hyphen_name))
            let table = TableName(input.path.schema_hyphen_name, input.path.table_hyphen_name)
            guard let entry = try await self.trackedSchemas(task, source)[table] else {
                throw .notFound("subtask \(task)/\(source) does not track table \(table)")
            }
            return .ok(.init(body: .json(Self.trackedTable(table, entry))))
        }
    }

    public func setTrackedSchema(_ input: Operations.setTrackedSchema.Input) async throws
        -> Operations.setTrackedSchema.Output
    {
        await self.answer("setTrackedSchema", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let (task, source) = (TaskName(input.path.task_hyphen_name), SourceID(input.path.source_hyphen_name))
            let table = TableName(input.path.schema_hyphen_name, input.path.table_hyphen_name)
            guard case .json(let request) = input.body else { throw .badRequest("expected a JSON body") }
            let config = try await self.subtaskConfig(task, source)
            let sql: String
            switch request.schema_source ?? .sql {
            case .sql:
                guard let content = request.sql_content, !content.allSatisfy(\.isWhitespace) else {
                    throw .badRequest("a CREATE TABLE statement is required", field: "sql_content")
                }
                sql = content
            case .upstream:
                guard let from = await self.state.scheduling.sources[source]?.from else {
                    throw .notFound("source \(source) not found")
                }
                sql = try await TrackedSchemas.showCreateTable(table, on: from, what: "source \(source)")
            case .downstream:
                let target: TableName
                do {
                    target = try Router(task: config, source: source).route(table)
                } catch {
                    throw .badRequest("task \(task): \(error)")
                }
                sql = try await TrackedSchemas.showCreateTable(target, on: config.targetDatabase, what: "the downstream")
            }
            let info = try TrackedSchemas.parse(sql, as: table, field: "sql_content")
            try await self.submit(.scheduling(
                .setSchemaOperation(
                    task, source: source, schema: table.schema, table: table.table, createTable: sql,
                    reportedPaused: self.reportedPaused(task, source))))
            self.logger.info("binlog-schema update", metadata: ["task": "\(task)", "source": "\(source)", "table": "\(table)"])
            return .ok(.init(body: .json(Self.trackedTable(table, (TrackedSchemas.render(info, table: table.table), true)))))
        }
    }

    public func deleteTrackedSchema(_ input: Operations.deleteTrackedSchema.Input) async throws
        -> Operations.deleteTrackedSchema.Output
    {
        await self.answer("deleteTrackedSchema", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let (task, source) = (TaskName(input.path.task_hyphen_name), SourceID(input.path.source_hyphen_name))
            let table = TableName(input.path.schema_hyphen_name, input.path.table_hyphen_name)
            _ = try await self.subtaskConfig(task, source)
            try await self.submit(.scheduling(
                .setSchemaOperation(
                    task, source: source, schema: table.schema, table: table.table, createTable: nil,
                    reportedPaused: self.reportedPaused(task, source))))
            self.logger.info("binlog-schema delete", metadata: ["task": "\(task)", "source": "\(source)", "table": "\(table)"])
            return .noContent(.init())
        }
    }

    // MARK: - Helpers

    /// Whether the subtask's worker last reported it Paused (its error paused it while expected Running).
    private func reportedPaused(_ task: TaskName, _ source: SourceID) -> Bool {
        self.statuses.status(task: task.rawValue, source: source.rawValue)?.stage == .Paused
    }

    private func subtaskConfig(_ task: TaskName, _ source: SourceID) async throws(APIFailure) -> TaskConfig {
        guard let record = await self.state.scheduling.tasks[task] else { throw .notFound("task \(task) not found") }
        guard record.subtasks[source] != nil else { throw .notFound("task \(task) has no subtask on source \(source)") }
        return record.config
    }

    /// Every table the subtask tracks, as `CREATE TABLE` text, with `pending` for those an operation the
    /// subtask has not applied yet sets (a pending delete hides the table until the subtask re-reads it).
    private func trackedSchemas(_ task: TaskName, _ source: SourceID) async throws(APIFailure)
        -> [TableName: (sql: String, pending: Bool)]
    {
        let config = try await self.subtaskConfig(task, source)
        let loaded = try await TrackedSchemas.read(task: config, source: source)
        var tracked = loaded.tableInfos.reduce(into: [TableName: (sql: String, pending: Bool)]()) { out, entry in
            out[entry.key] = (TrackedSchemas.render(entry.value, table: entry.key.table), false)
        }
        let operations = await self.state.scheduling.schemaOperations(task: task, source: source)
        for operation in operations where operation.id > loaded.schemaOperationsApplied {
            let table = TableName(operation.schema, operation.table)
            if let sql = operation.createTable, let info = try? TrackedSchemas.parse(sql, as: table, field: "") {
                tracked[table] = (TrackedSchemas.render(info, table: table.table), true)
            } else {
                tracked[table] = nil
            }
        }
        return tracked
    }

    private static func trackedTable(_ table: TableName, _ entry: (sql: String, pending: Bool)) -> Components.Schemas.TrackedTableSchema {
        Components.Schemas.TrackedTableSchema(
            schema_name: table.schema, table_name: table.table, schema_create_sql: entry.sql, pending: entry.pending ? true : nil)
    }
}
