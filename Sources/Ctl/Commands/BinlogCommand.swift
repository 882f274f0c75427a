import API
import ArgumentParser
import MasterClient

/// `binlog skip|replace|revert|list <task-name> [-s source ...] [-b file:pos] [sql ...]`, like dmctl `binlog`.
struct BinlogCommand: CtlSubcommand {
    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case skip, replace, revert, list
    }

    static let configuration = CommandConfiguration(
        commandName: "binlog",
        abstract: "Skip or replace the binlog event a subtask is paused on, or list/revert such operations.",
        discussion: """
            skip                 pass over the event (a DDL), then resume-task
            replace <sql ...>    run these statements in its place, then resume-task
            list                 the stored operations
            revert               remove operations (all, those at -b, or those of -s)
            Without -b, each addressed subtask must be paused on an error naming its event (query-status' \
            error_binlog_pos); without -s, every such subtask.
            """)

    @OptionGroup var global: CtlGlobalOptions
    @Argument(help: "skip, replace, revert or list.")
    var operation: Operation
    @Argument(help: "The task's name.")
    var taskName: String
    @Argument(help: "replace: the statements to run instead of the event.")
    var sqls: [String] = []
    @Option(name: [.customShort("s"), .customLong("source")], help: "These sources' subtasks (repeat, or comma separated).")
    var source: [String] = []
    @Option(name: [.customShort("b"), .customLong("binlog-pos")], help: "The event's start position, file:pos.")
    var binlogPos: String?

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let task = self.taskName
        let sources = splitList(self.source)
        let position = self.binlogPos
        let op = self.operation.rawValue
        switch self.operation {
        case .skip, .replace:
            if self.operation == .skip, !self.sqls.isEmpty { throw CtlError.usage("binlog skip takes no statements") }
            if self.operation == .replace, self.sqls.isEmpty { throw CtlError.usage("binlog replace needs at least one statement") }
            let status = try await ctl.client.getTask(name: task)
            let targets = try BinlogTargets.resolve(status, sources: sources, position: position)
            var results: [[String: Any]] = []
            for target in targets {
                let request = Components.Schemas.BinlogOperationRequest(
                    source: target.source, binlog_pos: target.position, action: self.operation == .skip ? .skip : .replace,
                    sqls: self.operation == .skip ? nil : self.sqls)
                results.append(await Self.perSource(target.source) {
                    let set = try await ctl.client.setBinlogOperation(task: task, request)
                    return ["binlog_pos": set.binlog_pos, "op": set.action.rawValue, "sqls": set.sqls]
                })
            }
            return Self.combine(task: task, op: op, results)
        case .revert:
            guard self.sqls.isEmpty else { throw CtlError.usage("binlog revert takes no statements") }
            var addressed = sources
            if addressed.isEmpty {
                let operations = try await ctl.client.listBinlogOperations(task: task)
                addressed = Array(Set(operations.filter { position == nil || $0.binlog_pos == position }.map(\.source))).sorted()
                guard !addressed.isEmpty else {
                    throw CtlError.failed("task \(task) has no binlog operation\(position.map { " at \($0)" } ?? "") to revert")
                }
            }
            var results: [[String: Any]] = []
            for source in addressed {
                results.append(await Self.perSource(source) {
                    let removed = try await ctl.client.removeBinlogOperations(task: task, source: source, position: position)
                    return ["reverted": removed.map { CtlOutput.tree($0) }]
                })
            }
            return Self.combine(task: task, op: op, results)
        case .list:
            guard self.sqls.isEmpty, position == nil else { throw CtlError.usage("binlog list <task-name> [-s source ...]") }
            let operations = try await ctl.client.listBinlogOperations(task: task, sources: sources)
            return ["task": task, "operations": operations.map { CtlOutput.tree($0) }]
        }
    }

    /// One source's answer in dmctl's per-source form; a refusal is reported there, not thrown.
    private static func perSource(_ source: String, _ body: () async throws -> [String: Any]) async -> [String: Any] {
        var entry: [String: Any] = ["source": source]
        do {
            entry.merge(try await body()) { _, new in new }
            entry["result"] = true
            entry["msg"] = ""
        } catch let error as MasterClientError {
            entry["result"] = false
            entry["msg"] = error.message
            entry["code"] = error.code
            if let field = error.field { entry["field"] = field }
        } catch {
            entry["result"] = false
            entry["msg"] = "\(error)"
        }
        return entry
    }

    private static func combine(task: String, op: String, _ results: [[String: Any]]) -> [String: Any] {
        let failed = results.filter { ($0["result"] as? Bool) != true }
        var reply: [String: Any] = ["task": task, "op": op, "sources": results]
        if !failed.isEmpty {
            reply["result"] = false
            reply["msg"] = "\(failed.count) of \(results.count) sources failed"
        }
        return reply
    }
}
