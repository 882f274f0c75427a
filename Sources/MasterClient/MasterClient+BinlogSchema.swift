import API
import OpenAPIRuntime

/// `binlog-schema list|update|delete`: the schemas a subtask tracks (DM's
/// `/tasks/{task}/sources/{source}/schemas[/{db}[/{table}]]`).
extension MasterClient {
    public func listTrackedSchemas(task: String, source: String) async throws(MasterClientError) -> [String] {
        try await self.call({
            try await $0.listTrackedSchemas(path: .init(task_hyphen_name: task, source_hyphen_name: source))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func listTrackedTables(task: String, source: String, schema: String) async throws(MasterClientError) -> [String] {
        try await self.call({
            try await $0.listTrackedTables(
                path: .init(task_hyphen_name: task, source_hyphen_name: source, schema_hyphen_name: schema))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func getTrackedSchema(task: String, source: String, schema: String, table: String) async throws(MasterClientError)
        -> Schemas.TrackedTableSchema
    {
        try await self.call({
            try await $0.getTrackedSchema(
                path: .init(task_hyphen_name: task, source_hyphen_name: source, schema_hyphen_name: schema, table_hyphen_name: table))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func setTrackedSchema(
        task: String, source: String, schema: String, table: String, _ request: Schemas.TrackedSchemaRequest
    ) async throws(MasterClientError) -> Schemas.TrackedTableSchema {
        try await self.call({
            try await $0.setTrackedSchema(
                path: .init(task_hyphen_name: task, source_hyphen_name: source, schema_hyphen_name: schema, table_hyphen_name: table),
                body: .json(request))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func deleteTrackedSchema(task: String, source: String, schema: String, table: String) async throws(MasterClientError) {
        try await self.call({
            try await $0.deleteTrackedSchema(
                path: .init(task_hyphen_name: task, source_hyphen_name: source, schema_hyphen_name: schema, table_hyphen_name: table))
        }) { output in
            switch output {
            case .noContent: ()
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }
}
