import ArgumentParser
import Ctl

@main
struct Braid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "braid",
        abstract: "Merge sharded MySQL/MariaDB tables into one downstream, coordinating shard DDL through an event log.",
        subcommands: [LogCommand.self, DemoCommand.self, MasterCommand.self, WorkerCommand.self, CtlCommand.self]
    )

    /// `braid ctl ...` answers usage errors as JSON (see `CtlEntry`); everything else is swift-argument-parser's.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "ctl" {
            await CtlEntry.main(arguments)
        } else {
            await Self.main(arguments)
        }
    }
}

/// Options every command over a master's data directory shares.
struct DataDirOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The master's data directory (the log lives in <data-dir>/log).")
    var dataDir: String
}
