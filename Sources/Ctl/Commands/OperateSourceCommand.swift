import ArgumentParser
import Domain
import Foundation

/// `operate-source create|update|stop|show [config-file ...] [-w worker] [-s source ...] [--strict]`.
struct OperateSourceCommand: CtlSubcommand {
    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case create, update, stop, show
    }

    static let configuration = CommandConfiguration(
        commandName: "operate-source",
        abstract: "Create, update, stop (remove) or show upstream sources.",
        discussion: """
            create <source.yaml ...>              add sources (bound to a free worker, or to -w)
            update <source.yaml ...>              replace sources' configs
            stop <source.yaml | source-id ...>    remove sources (refused while a task uses one)
            show [-s source ...]                  list sources and their workers (passwords redacted)
            Keys Braid does not know or ignores come back as "warnings"; --strict refuses them.
            """)

    @OptionGroup var global: CtlGlobalOptions
    @Argument(help: "create, update, stop or show.")
    var operation: Operation
    @Argument(help: "source.yaml files (stop also takes source ids).")
    var configFiles: [String] = []
    @Option(name: [.customShort("w"), .customLong("worker")], help: "create: bind to this free worker.")
    var worker: String?
    @Option(name: [.customShort("s"), .customLong("source")], help: "show/stop: these sources (repeat, or comma separated).")
    var source: [String] = []
    @Flag(help: "create/update: refuse a file with keys Braid does not know or ignores.")
    var strict = false

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        var sources: [[String: Any]] = []
        switch self.operation {
        case .create:
            guard !self.configFiles.isEmpty else { throw CtlError.usage("operate-source create <config-file ...>") }
            for file in self.configFiles {
                let created = try await ctl.client.createSource(yaml: try Ctl.readFile(file), worker: self.worker, strict: self.strict)
                sources.append(Self.entry(created.source_id, worker: created.worker, warnings: created.warnings))
            }
        case .update:
            guard !self.configFiles.isEmpty else { throw CtlError.usage("operate-source update <config-file ...>") }
            for file in self.configFiles {
                let yaml = try Ctl.readFile(file)
                let name = try SourceConfig.load(yaml: yaml).config.sourceID.rawValue
                let updated = try await ctl.client.updateSource(name: name, yaml: yaml, strict: self.strict)
                sources.append(Self.entry(updated.source_id, worker: updated.worker, warnings: updated.warnings))
            }
        case .stop:
            // dmctl names the source by its config file; a bare source name (or `-s`) also works.
            var names = splitList(self.source)
            for file in self.configFiles {
                if FileManager.default.fileExists(atPath: file) {
                    names.append(try SourceConfig.load(yaml: try Ctl.readFile(file)).config.sourceID.rawValue)
                } else {
                    names.append(file)
                }
            }
            guard !names.isEmpty else { throw CtlError.usage("operate-source stop <config-file | source ...>") }
            for name in names {
                try await ctl.client.deleteSource(name: name)
                sources.append(["result": true, "msg": "", "source": name])
            }
        case .show:
            let filter = Set(splitList(self.source))
            for source in try await ctl.client.listSources() where filter.isEmpty || filter.contains(source.source_id) {
                var entry: [String: Any] = ["result": true, "msg": "", "source": source.source_id, "worker": source.worker ?? ""]
                entry["config"] = CtlOutput.tree(source.config)
                if let epoch = source.binding_epoch { entry["binding_epoch"] = epoch }
                sources.append(entry)
            }
        }
        return ["sources": sources]
    }

    private static func entry(_ source: String, worker: String?, warnings: [String]?) -> [String: Any] {
        var entry: [String: Any] = ["result": true, "msg": "", "source": source, "worker": worker ?? ""]
        if let warnings, !warnings.isEmpty { entry["warnings"] = warnings }
        return entry
    }
}

/// `transfer-source <source-id> <worker-id>`.
struct TransferSourceCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer-source",
        abstract: "Move a source's binding to another free worker (its subtasks follow).")

    @OptionGroup var global: CtlGlobalOptions
    @Argument(help: "The source's id.")
    var sourceID: String
    @Argument(help: "The free worker to bind it to.")
    var workerID: String

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let source = try await ctl.client.transferSource(name: self.sourceID, worker: self.workerID)
        return ["source": source.source_id, "worker": source.worker ?? ""]
    }
}
