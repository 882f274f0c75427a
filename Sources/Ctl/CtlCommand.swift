public import ArgumentParser

/// `braid ctl`: the root of the dmctl commands. Its options come before the command name; each command
/// is a subcommand with its own `--help`.
public struct CtlCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Operate the cluster through the master's API (dmctl's commands; replies are JSON).",
        discussion: """
            Exit status: 0 done, 1 the master refused or failed (the reply says why), 2 bad usage.
            Example: braid ctl --master 127.0.0.1:8261 query-status
            """,
        subcommands: [
            OperateSourceCommand.self, TransferSourceCommand.self, StartTaskCommand.self, StopTaskCommand.self,
            PauseTaskCommand.self, ResumeTaskCommand.self, CheckTaskCommand.self, QueryStatusCommand.self, ShardDDLLockCommand.self,
            BinlogCommand.self, BinlogSchemaCommand.self, ListMemberCommand.self, OfflineMemberCommand.self, OperateLeaderCommand.self, GetConfigCommand.self,
        ]
    )

    @OptionGroup public var global: CtlGlobalOptions

    public init() {}

    /// `braid ctl` with no command: a usage error, as before the commands were subcommands.
    public func run() async throws {
        print(Self.missingCommand.json)
        throw ExitCode(Self.missingCommand.exitCode)
    }

    static var missingCommand: Ctl.Result {
        let names = Self.configuration.subcommands.map { $0.configuration.commandName ?? "" }
        return Ctl.failure("missing command; one of \(names.joined(separator: ", ")) (see braid ctl --help)", exitCode: 2)
    }

    /// dmctl's `list-member --master` / `offline-member --master` select masters, but `--master` is also
    /// ctl's own option, which swift-argument-parser reads anywhere on the line. After those two commands a
    /// bare `--master` (no address after it) is their flag, spelled `--masters` here.
    public static func normalized(_ arguments: [String]) -> [String] {
        guard let at = arguments.firstIndex(where: { $0 == "list-member" || $0 == "offline-member" }) else { return arguments }
        var result = arguments
        for index in result.indices where index > at && result[index] == "--master" {
            let next = index + 1 < result.count ? result[index + 1] : nil
            if next == nil || next!.hasPrefix("-") { result[index] = "--masters" }
        }
        return result
    }
}
