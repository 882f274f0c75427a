import API
import ArgumentParser
import Foundation

/// `query-status [-s source ...] [task-name] [--more]`.
struct QueryStatusCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "query-status",
        abstract: "Show every task's stage, or one task's subtasks in detail.",
        discussion: """
            With a task name: each subtask's stage, unit, position, error (with the binlog position to give \
            binlog skip|replace) and, while copying, a progress line with rows, rows/s and ETA.
            """)

    @OptionGroup var global: CtlGlobalOptions
    @Option(name: [.customShort("s"), .customLong("source")], help: "Only these sources' subtasks (with a task name).")
    var source: [String] = []
    @Flag(help: "Accepted for dmctl compatibility; the detail is always complete.")
    var more = false
    @Argument(help: "A task's name; all tasks when omitted.")
    var taskName: String?

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        if let name = self.taskName {
            let status = try await ctl.client.getTask(name: name)
            let filter = Set(splitList(self.source))
            var tree = CtlOutput.tree(status)
            if !filter.isEmpty, var object = tree as? [String: Any] {
                object["subtasks"] = Ctl.subtasks(status).filter { filter.contains(($0["source"] as? String) ?? "") }
                tree = object
            }
            var out: [String: Any] = ["task": name, "status": tree]
            let progress = status.subtasks.compactMap { Self.progressLine($0) }
            if !progress.isEmpty { out["progress"] = progress }
            return out
        }
        let tasks = try await ctl.client.listTasks()
        return ["tasks": tasks.map { task -> [String: Any] in
            var stages = Set(task.subtasks.map { $0.status?.stage.rawValue ?? $0.expected_stage.rawValue })
            if stages.isEmpty { stages = ["Stopped"] }
            return ["taskName": task.name, "taskStatus": stages.sorted().joined(separator: ","), "sources": task.subtasks.map(\.source)]
        }]
    }

    /// One human line per subtask: `mysql-replica-01 Load 45.2% 12345/27300 rows 8120 rows/s ETA 2s`.
    static func progressLine(_ subtask: Components.Schemas.SubtaskView) -> String? {
        guard let status = subtask.status, let unit = status.unit else { return nil }
        var line = "\(subtask.source) \(unit) \(status.stage.rawValue)"
        if let percent = status.percent { line += String(format: " %.1f%%", percent) }
        if let rows = status.processed_rows {
            line += status.total_rows.map { " \(rows)/\($0) rows" } ?? " \(rows) rows"
        }
        if let rate = status.rows_per_second { line += String(format: " %.0f rows/s", rate) }
        if let eta = status.eta_seconds { line += String(format: " ETA %.0fs", eta) }
        if let error = status.error { line += " error: \(error)" }
        return line
    }
}
