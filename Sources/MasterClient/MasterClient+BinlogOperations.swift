import API
import OpenAPIRuntime

/// `binlog skip|replace|list|revert`.
extension MasterClient {
    public func listBinlogOperations(task: String, sources: [String] = []) async throws(MasterClientError)
        -> [Schemas.BinlogOperation]
    {
        try await self.call({
            try await $0.listBinlogOperations(
                path: .init(task_hyphen_name: task), query: .init(source: sources.isEmpty ? nil : sources))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    public func setBinlogOperation(task: String, _ request: Schemas.BinlogOperationRequest) async throws(MasterClientError)
        -> Schemas.BinlogOperation
    {
        try await self.call({
            try await $0.setBinlogOperation(path: .init(task_hyphen_name: task), body: .json(request))
        }) { output in
            switch output {
            case .created(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }

    /// Removes the source's operation at `position` (`file:pos`), or all of the source's without one.
    public func removeBinlogOperations(task: String, source: String, position: String?) async throws(MasterClientError)
        -> [Schemas.BinlogOperation]
    {
        try await self.call({
            try await $0.removeBinlogOperations(
                path: .init(task_hyphen_name: task), query: .init(source: source, binlog_pos: position))
        }) { output in
            switch output {
            case .ok(let r): try r.body.json
            case .default(let status, let r): throw MasterClientError(status: status, body: try r.body.json)
            }
        }
    }
}
