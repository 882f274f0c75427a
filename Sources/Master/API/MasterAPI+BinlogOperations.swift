import API
import Domain
import Foundation
import Projections
import Schema
import Scheduling

/// `binlog skip|replace|list|revert` (DM's `binlog` / `handle-error`): operations are events in the
/// log and part of each task record; workers receive them in their watch view.
extension MasterAPI {
    public func listBinlogOperations(_ input: Operations.listBinlogOperations.Input) async throws
        -> Operations.listBinlogOperations.Output
    {
        await self.answer("listBinlogOperations", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = TaskName(input.path.task_hyphen_name)
            let record = try await self.taskRecord(name)
            let wanted = Set((input.query.source ?? []).filter { !$0.isEmpty }.map(SourceID.init))
            for source in wanted.sorted() where record.subtasks[source] == nil {
                throw .notFound("task \(name) has no subtask on source \(source)")
            }
            let sources = record.subtasks.keys.sorted().filter { wanted.isEmpty || wanted.contains($0) }
            return .ok(.init(body: .json(sources.flatMap { source in
                record.binlogOperations(of: source).map { Self.binlogOperation($0, task: name, source: source) }
            })))
        }
    }

    public func setBinlogOperation(_ input: Operations.setBinlogOperation.Input) async throws
        -> Operations.setBinlogOperation.Output
    {
        await self.answer("setBinlogOperation", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = TaskName(input.path.task_hyphen_name)
            guard case .json(let request) = input.body else { throw .badRequest("expected a JSON body") }
            guard !request.source.isEmpty else { throw .badRequest("must not be empty", field: "source") }
            let position = try Self.position(request.binlog_pos, field: "binlog_pos")
            let statements = (request.sqls ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let operation: BinlogOperation
            switch request.action {
            case .skip:
                guard statements.isEmpty else { throw .badRequest("skip takes no statements", field: "sqls") }
                operation = .skip(at: position)
            case .replace:
                guard !statements.isEmpty, !statements.contains(where: \.isEmpty) else {
                    throw .badRequest("replace needs at least one non-empty statement", field: "sqls")
                }
                do throws(DDLReplacement.Failure) {
                    _ = try DDLReplacement.statement(statements, defaultSchema: nil)
                } catch {
                    throw .badRequest(error.description, field: error.index.map { "sqls[\($0)]" } ?? "sqls")
                }
                operation = .replace(at: position, with: statements)
            }
            let source = SourceID(request.source)
            try await self.submit(.scheduling(.setBinlogOperation(name, source: source, operation)))
            self.logger.info(
                "binlog operation set", metadata: ["task": "\(name)", "source": "\(source)", "operation": "\(operation)"])
            return .created(.init(body: .json(Self.binlogOperation(operation, task: name, source: source))))
        }
    }

    public func removeBinlogOperations(_ input: Operations.removeBinlogOperations.Input) async throws
        -> Operations.removeBinlogOperations.Output
    {
        await self.answer("removeBinlogOperations", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = TaskName(input.path.task_hyphen_name)
            guard !input.query.source.isEmpty else { throw .badRequest("must not be empty", field: "source") }
            let source = SourceID(input.query.source)
            let position = try input.query.binlog_pos.map { (text) throws(APIFailure) in
                try Self.position(text, field: "binlog_pos")
            }
            let before = try await self.taskRecord(name).binlogOperations(of: source)
            try await self.submit(.scheduling(.removeBinlogOperation(name, source: source, position: position)))
            let removed = before.filter { position == nil || $0.position == position }
            self.logger.info(
                "binlog operations removed", metadata: ["task": "\(name)", "source": "\(source)", "count": "\(removed.count)"])
            return .ok(.init(body: .json(removed.map { Self.binlogOperation($0, task: name, source: source) })))
        }
    }

    private func taskRecord(_ name: TaskName) async throws(APIFailure) -> Scheduling.TaskRecord {
        guard let record = await self.state.scheduling.tasks[name] else { throw .notFound("task \(name) not found") }
        return record
    }

    static func position(_ text: String, field: String) throws(APIFailure) -> BinlogPosition {
        let position: BinlogPosition
        do throws(PositionError) {
            position = try BinlogPosition.parse(text)
        } catch {
            throw .badRequest(error.description, field: field)
        }
        guard position.pos >= BinlogPosition.minimumPos else {
            throw .badRequest("binlog position \"\(text)\": offset below \(BinlogPosition.minimumPos)", field: field)
        }
        return position
    }

    static func binlogOperation(_ operation: BinlogOperation, task: TaskName, source: SourceID) -> Components.Schemas.BinlogOperation {
        Components.Schemas.BinlogOperation(
            task: task.rawValue, source: source.rawValue,
            binlog_pos: "\(operation.position.file):\(operation.position.pos)",
            action: operation.action == .skip ? .skip : .replace, sqls: operation.statements)
    }
}
