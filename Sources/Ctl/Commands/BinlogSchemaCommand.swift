import ArgumentParser

/// `binlog-schema list|update|delete <task> [<db> [<table>]] [schema-file] -s source ... [--from-source|--from-target]`,
/// like dmctl `binlog-schema`.
struct BinlogSchemaCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "binlog-schema",
        abstract: "List, replace or delete the schema a subtask tracks for an upstream table.",
        discussion: """
            list   <task> [<db> [<table>]]                      the tracked databases, tables, or one CREATE TABLE
            update <task> <db> <table> <schema-file>            track this CREATE TABLE from the resume position on
            update <task> <db> <table> --from-source|--from-target   take it from the upstream table or the routed target
            delete <task> <db> <table>                          forget it; the table is read upstream again
            update and delete need the subtask paused (pause-task, or its own error); they apply at resume-task.
            """)

    enum Operation: String, ExpressibleByArgument, CaseIterable { case list, update, delete }

    @OptionGroup var global: CtlGlobalOptions
    @Argument(help: "list, update or delete.")
    var operation: Operation
    @Argument(help: "The task's name.")
    var taskName: String
    @Argument(help: "The upstream database, the table, and for update the file holding the CREATE TABLE.")
    var rest: [String] = []
    @Option(name: [.customShort("s"), .customLong("source")], help: "These sources' subtasks (repeat, or comma separated).")
    var source: [String] = []
    @Flag(help: "update: the table's schema as the source has it now.")
    var fromSource = false
    @Flag(help: "update: the routed downstream table's schema.")
    var fromTarget = false
    @Flag(help: "Accepted for dmctl compatibility: the checkpoint is always written at resume.")
    var flush = false
    @Flag(help: "Accepted for dmctl compatibility.")
    var sync = false

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let sources = splitList(self.source)
        guard !sources.isEmpty else { throw CtlError.usage("binlog-schema needs -s source; \(Ctl.binlogSchemaUsage)") }
        let p = self.rest
        var parsed = Ctl.BinlogSchemaArguments(
            operation: Ctl.BinlogSchemaArguments.Operation(rawValue: self.operation.rawValue)!, task: self.taskName,
            sources: sources, database: p.count > 0 ? p[0] : nil, table: p.count > 1 ? p[1] : nil)
        switch self.operation {
        case .list:
            guard p.count <= 2, !self.fromSource, !self.fromTarget else { throw CtlError.usage(Ctl.binlogSchemaUsage) }
        case .delete:
            guard p.count == 2, !self.fromSource, !self.fromTarget else {
                throw CtlError.usage("binlog-schema delete <task-name> <database> <table> -s source ...")
            }
        case .update:
            let file = p.count == 3 ? p[2] : nil
            let chosen = [file != nil, self.fromSource, self.fromTarget].filter { $0 }.count
            guard p.count == 2 || p.count == 3, chosen == 1 else {
                throw CtlError.usage(
                    "binlog-schema update <task-name> <database> <table> (<schema-file> | --from-source | --from-target) -s source ...")
            }
            if let file {
                parsed.schemaSource = .statement(try Ctl.readFile(file))
            } else {
                parsed.schemaSource = self.fromSource ? .fromSource : .fromTarget
            }
        }
        return try await ctl.binlogSchema(parsed)
    }
}
