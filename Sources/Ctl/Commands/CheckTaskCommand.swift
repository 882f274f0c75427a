import ArgumentParser

/// `check-task <config-file> [--error n] [--warn n]`.
struct CheckTaskCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "check-task",
        abstract: "Check a task.yaml against the live sources and target without starting it.",
        discussion: """
            The master connects to every source of the task and to the target and checks: privileges \
            (REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD), log_bin, binlog_format ROW, \
            binlog_row_image FULL, non-zero distinct server ids, a primary or unique key on each table (warn), \
            and that the shards merged into one table fit the shard mode (pessimistic: same columns; \
            optimistic: schemas that join). Each check is listed with pass, warn or fail; the reply's result \
            is false when one fails.
            """)

    @OptionGroup var global: CtlGlobalOptions
    @Option(help: "Show at most this many failed checks.")
    var error = 10
    @Option(help: "Show at most this many warnings.")
    var warn = 10
    @Argument(help: "The task.yaml file.")
    var configFile: String

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        guard self.error >= 0, self.warn >= 0 else { throw CtlError.usage("--error and --warn must not be negative") }
        let result = try await ctl.client.checkTask(yaml: try Ctl.readFile(self.configFile))
        var shown: [[String: Any]] = []
        var counts: [String: Int] = ["pass": 0, "warn": 0, "fail": 0]
        for check in result.checks {
            let state = check.state.rawValue
            counts[state, default: 0] += 1
            if state == "fail", counts["fail"]! > self.error { continue }
            if state == "warn", counts["warn"]! > self.warn { continue }
            shown.append(["name": check.name, "scope": check.scope, "state": state, "message": check.message])
        }
        var reply: [String: Any] = [
            "result": result.passed, "checks": shown,
            "summary": ["passed": counts["pass"]!, "warnings": counts["warn"]!, "failed": counts["fail"]!],
            "msg": result.passed ? "" : "\(counts["fail"]!) of \(result.checks.count) checks failed",
        ]
        if let warnings = result.warnings, !warnings.isEmpty { reply["warnings"] = warnings }
        return reply
    }
}
