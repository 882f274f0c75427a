import API
import Foundation
import MasterClient

/// `binlog-schema list|update|delete <task> [<db> [<table>]] [schema-file] -s source ... [--from-source|--from-target]`,
/// like dmctl `binlog-schema`: read or replace the schema a subtask tracks for one upstream table.
/// Update and delete need the subtask paused; they take effect at `resume-task`.
extension Ctl {
    /// A parsed `binlog-schema` command line.
    struct BinlogSchemaArguments: Sendable, Hashable {
        enum Operation: String, Sendable, Hashable { case list, update, delete }
        enum SchemaSource: Sendable, Hashable {
            /// The CREATE TABLE statement read from a file.
            case statement(String)
            case fromSource, fromTarget
        }

        var operation: Operation
        var task: String
        var sources: [String]
        var database: String?
        var table: String?
        /// `update` only.
        var schemaSource: SchemaSource?
    }

    static let binlogSchemaUsage =
        "binlog-schema list|update|delete <task-name> [<database> [<table>]] [schema-file] -s source ... [--from-source|--from-target]"

    func binlogSchema(_ a: BinlogSchemaArguments) async throws -> [String: Any] {
        var results: [[String: Any]] = []
        for source in a.sources {
            var entry: [String: Any] = ["source": source]
            do {
                switch (a.operation, a.database, a.table) {
                case (.list, nil, _):
                    entry["schemas"] = try await self.client.listTrackedSchemas(task: a.task, source: source)
                case (.list, let database?, nil):
                    entry["tables"] = try await self.client.listTrackedTables(task: a.task, source: source, schema: database)
                case (.list, let database?, let table?):
                    let tracked = try await self.client.getTrackedSchema(task: a.task, source: source, schema: database, table: table)
                    entry["schema"] = tracked.schema_create_sql
                    if tracked.pending == true { entry["pending"] = true }
                case (.update, let database?, let table?):
                    let request: Components.Schemas.TrackedSchemaRequest = switch a.schemaSource {
                    case .statement(let sql): .init(schema_source: .sql, sql_content: sql)
                    case .fromSource: .init(schema_source: .upstream)
                    case .fromTarget, nil: .init(schema_source: .downstream)
                    }
                    let tracked = try await self.client.setTrackedSchema(
                        task: a.task, source: source, schema: database, table: table, request)
                    entry["schema"] = tracked.schema_create_sql
                case (.delete, let database?, let table?):
                    try await self.client.deleteTrackedSchema(task: a.task, source: source, schema: database, table: table)
                default:
                    throw CtlError.usage(Self.binlogSchemaUsage)
                }
                entry["result"] = true
                entry["msg"] = ""
            } catch let error as MasterClientError {
                entry["result"] = false
                entry["msg"] = error.message
                entry["code"] = error.code
            }
            results.append(entry)
        }
        let failed = results.filter { ($0["result"] as? Bool) != true }
        var reply: [String: Any] = ["task": a.task, "op": a.operation.rawValue, "sources": results]
        if !failed.isEmpty {
            reply["result"] = false
            reply["msg"] = "\(failed.count) of \(results.count) sources failed"
        }
        return reply
    }
}
