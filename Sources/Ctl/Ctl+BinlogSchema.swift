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

    /// Parses dmctl's arguments; the command itself is `binlogSchema(_:)` over the parsed form.
    func binlogSchema(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(
            rest, valued: ["source": ["-s", "--source"]],
            switches: ["from-source": ["--from-source"], "from-target": ["--from-target"], "flush": ["--flush"], "sync": ["--sync"]])
        return try await self.binlogSchema(try Self.binlogSchemaArguments(args))
    }

    static func binlogSchemaArguments(_ args: CtlArguments) throws(CtlError) -> BinlogSchemaArguments {
        let p = args.positionals
        guard p.count >= 2, let operation = BinlogSchemaArguments.Operation(rawValue: p[0]) else {
            throw CtlError.usage(Self.binlogSchemaUsage)
        }
        let sources = args.all("source")
        guard !sources.isEmpty else { throw CtlError.usage("binlog-schema needs -s source; \(Self.binlogSchemaUsage)") }
        var parsed = BinlogSchemaArguments(
            operation: operation, task: p[1], sources: sources, database: p.count > 2 ? p[2] : nil, table: p.count > 3 ? p[3] : nil)
        switch operation {
        case .list:
            guard p.count <= 4, !args.has("from-source"), !args.has("from-target") else { throw CtlError.usage(Self.binlogSchemaUsage) }
        case .delete:
            guard p.count == 4, !args.has("from-source"), !args.has("from-target") else {
                throw CtlError.usage("binlog-schema delete <task-name> <database> <table> -s source ...")
            }
        case .update:
            let file = p.count == 5 ? p[4] : nil
            let chosen = [file != nil, args.has("from-source"), args.has("from-target")].filter { $0 }.count
            guard p.count == 4 || p.count == 5, chosen == 1 else {
                throw CtlError.usage(
                    "binlog-schema update <task-name> <database> <table> (<schema-file> | --from-source | --from-target) -s source ...")
            }
            if let file {
                parsed.schemaSource = .statement(try Self.readFile(file))
            } else {
                parsed.schemaSource = args.has("from-source") ? .fromSource : .fromTarget
            }
        }
        return parsed
    }

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
