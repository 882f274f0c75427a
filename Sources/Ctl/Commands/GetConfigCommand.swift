import ArgumentParser

/// `get-config task|source <name>`.
struct GetConfigCommand: CtlSubcommand {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case task, source
    }

    static let configuration = CommandConfiguration(
        commandName: "get-config",
        abstract: "Show a source's config (password redacted) or a task's mode and subtasks.")

    @OptionGroup var global: CtlGlobalOptions
    @Argument(help: "task or source.")
    var kind: Kind
    @Argument(help: "The task's or source's name.")
    var name: String

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        switch self.kind {
        case .source:
            let source = try await ctl.client.getSource(name: self.name)
            return ["cfg": CtlOutput.tree(source.config), "source": self.name]
        case .task:
            // The API has no task-config endpoint yet; the status names the mode and subtasks.
            let status = try await ctl.client.getTask(name: self.name)
            return ["cfg": CtlOutput.tree(status), "task": self.name]
        }
    }
}
