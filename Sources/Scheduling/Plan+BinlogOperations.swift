import Domain

/// `binlog skip|replace|revert`: the operator's instructions for one binlog event of a subtask.
extension Plan {
    mutating func setBinlogOperation(_ name: TaskName, source: SourceID, _ operation: BinlogOperation) throws(Failure) {
        let record = try self.subtaskRecord(name, source)
        switch operation.action {
        case .skip:
            guard operation.statements.isEmpty else {
                throw Failure(.invalidCommand, "binlog skip of \(name)/\(source) at \(operation.position) takes no statements")
            }
        case .replace:
            guard !operation.statements.isEmpty,
                operation.statements.allSatisfy({ !$0.allSatisfy { $0.isWhitespace || $0 == ";" } })
            else {
                throw Failure(
                    .invalidCommand, "binlog replace of \(name)/\(source) at \(operation.position) needs at least one statement")
            }
        }
        guard record.binlogOperations[source]?[operation.position] != operation else { return }
        self.emit(.task(.binlogOperationSet(name, source: source, operation: operation)))
    }

    mutating func removeBinlogOperation(_ name: TaskName, source: SourceID, position: BinlogPosition?) throws(Failure) {
        let record = try self.subtaskRecord(name, source)
        let existing = record.binlogOperations(of: source)
        if let position {
            guard existing.contains(where: { $0.position == position }) else {
                throw Failure(.binlogOperationNotFound, "subtask \(name)/\(source) has no binlog operation at \(position)")
            }
            self.emit(.task(.binlogOperationRemoved(name, source: source, position: position)))
        } else {
            for operation in existing {
                self.emit(.task(.binlogOperationRemoved(name, source: source, position: operation.position)))
            }
        }
    }

    private func subtaskRecord(_ name: TaskName, _ source: SourceID) throws(Failure) -> Scheduling.TaskRecord {
        guard let record = self.state.tasks[name] else { throw Failure(.taskNotFound, "task \(name) does not exist") }
        guard record.subtasks[source] != nil else {
            throw Failure(.subtaskNotFound, "task \(name) has no subtask on source \(source)")
        }
        return record
    }
}
