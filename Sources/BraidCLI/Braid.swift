import ArgumentParser

@main
struct Braid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "braid",
        abstract: "Merge sharded MySQL/MariaDB tables into one downstream, coordinating shard DDL through an event log.",
        subcommands: [LogCommand.self, DemoCommand.self, MasterCommand.self, WorkerCommand.self, CtlCommand.self]
    )
}

/// Options every command over a master's data directory shares.
struct DataDirOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The master's data directory (the log lives in <data-dir>/log).")
    var dataDir: String
}
