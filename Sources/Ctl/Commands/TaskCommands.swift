import API
import ArgumentParser

/// `start-task [-s source ...] [--remove-meta] [--strict] <config-file>`.
struct StartTaskCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "start-task",
        abstract: "Start a task from DM's task.yaml.",
        discussion: """
            The master checks the file and starts one subtask per listed source (or only the sources given \
            with -s). Keys Braid does not know or ignores come back as "warnings"; --strict refuses them. \
            --remove-meta first removes a task of the same name, with its shard-DDL locks and metadata.
            """)

    @OptionGroup var global: CtlGlobalOptions
    @Option(name: [.customShort("s"), .customLong("source")], help: "Only these sources (repeat, or comma separated).")
    var source: [String] = []
    @Flag(name: .customLong("remove-meta"), help: "Remove the task's previous metadata (locks, checkpoints' task) first.")
    var removeMeta = false
    @Option(name: .customLong("start-time"), help: "DM's safe-mode start time; not supported by Braid (refused if given).")
    var startTime: String?
    @Flag(help: "Refuse the file if it has keys Braid does not know or ignores.")
    var strict = false
    @Argument(help: "The task.yaml file.")
    var configFile: String

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        if let startTime { throw CtlError.usage("--start-time \(startTime): starting from a time is not supported by Braid; use meta in task.yaml") }
        let status = try await ctl.client.startTask(
            yaml: try Ctl.readFile(self.configFile), removeMeta: self.removeMeta, sources: splitList(self.source),
            strict: self.strict)
        var reply: [String: Any] = ["task": status.name, "sources": Ctl.subtasks(status)]
        if let warnings = status.warnings, !warnings.isEmpty { reply["warnings"] = warnings }
        return reply
    }
}

/// `stop-task [-s source ...] <task-name>`.
struct StopTaskCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "stop-task",
        abstract: "Stop a task, or only its subtasks on the given sources.",
        discussion: "Stopping the whole task removes it with its shard-DDL locks.")

    @OptionGroup var global: CtlGlobalOptions
    @Option(name: [.customShort("s"), .customLong("source")], help: "Only these sources (repeat, or comma separated).")
    var source: [String] = []
    @Argument(help: "The task's name.")
    var taskName: String

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let sources = splitList(self.source)
        try await ctl.client.stopTask(name: self.taskName, sources: sources)
        return ["task": self.taskName, "op": "Stop", "sources": sources]
    }
}

/// The `[-s source ...] <task-name>` that pause-task and resume-task address.
struct TaskSources: ParsableArguments {
    @Option(name: [.customShort("s"), .customLong("source")], help: "Only these sources (repeat, or comma separated).")
    var source: [String] = []
    @Argument(help: "The task's name.")
    var taskName: String

    var sources: [String] { splitList(self.source) }
}

/// `pause-task [-s source ...] <task-name>`.
struct PauseTaskCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "pause-task",
        abstract: "Pause a task's subtasks (all, or those on the given sources); resume-task continues them.")

    @OptionGroup var global: CtlGlobalOptions
    @OptionGroup var target: TaskSources

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let status = try await ctl.client.pauseTask(name: self.target.taskName, sources: self.target.sources)
        return ["task": self.target.taskName, "op": "Pause", "sources": Ctl.subtasks(status)]
    }
}

/// `resume-task [-s source ...] <task-name>`.
struct ResumeTaskCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "resume-task",
        abstract: "Resume paused subtasks, including those paused on an error (fix the cause first, or use binlog skip).")

    @OptionGroup var global: CtlGlobalOptions
    @OptionGroup var target: TaskSources

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let status = try await ctl.client.resumeTask(name: self.target.taskName, sources: self.target.sources)
        return ["task": self.target.taskName, "op": "Resume", "sources": Ctl.subtasks(status)]
    }
}

extension Ctl {
    static func subtasks(_ status: Components.Schemas.TaskStatus) -> [[String: Any]] {
        status.subtasks.map { s -> [String: Any] in
            ["source": s.source, "worker": s.worker ?? "", "stage": s.status?.stage.rawValue ?? s.expected_stage.rawValue]
        }
    }
}
