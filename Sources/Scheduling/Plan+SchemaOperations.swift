import Domain

/// `binlog-schema update|delete`: the operator's schema for one upstream table of a subtask.
extension Plan {
    mutating func setSchemaOperation(
        _ name: TaskName, source: SourceID, schema: String, table: String, createTable: String?, reportedPaused: Bool
    ) throws(Failure) {
        guard let record = self.state.tasks[name] else { throw Failure(.taskNotFound, "task \(name) does not exist") }
        guard let stage = record.subtasks[source] else {
            throw Failure(.subtaskNotFound, "task \(name) has no subtask on source \(source)")
        }
        guard !schema.isEmpty, !table.isEmpty else {
            throw Failure(.invalidCommand, "binlog-schema of \(name)/\(source) needs a database and a table")
        }
        if let createTable, createTable.allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            throw Failure(.invalidCommand, "binlog-schema update of \(name)/\(source) needs a CREATE TABLE statement")
        }
        // The subtask must not be reading the binlog meanwhile: the schema takes effect at its resume.
        guard stage == .paused || reportedPaused else {
            throw Failure(
                .subtaskNotPaused, "subtask \(name)/\(source) is expected \(stage.rawValue); pause-task it (or let its error pause it) before binlog-schema update|delete")
        }
        let operation = SchemaOperation(
            id: self.state.lastSchemaOperationID + 1, schema: schema, table: table, createTable: createTable)
        self.emit(.task(.schemaOperationSet(name, source: source, operation: operation)))
    }
}
