import ArgumentParser
import Ctl
import Foundation

/// `braid ctl`: dmctl's commands; prints the JSON reply and exits non-zero on error.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Operate the cluster through the master's API (dmctl commands).",
        discussion: "Commands: \(Ctl.commands.joined(separator: ", ")). Example: braid ctl --master 127.0.0.1:8261 query-status"
    )

    @Option(help: "Master addresses, comma separated (host:port).")
    var master: String = "127.0.0.1:8261"

    @Option(name: .customLong("auth-token-file"), help: "Send 'Authorization: Bearer <token>' with the token in this file.")
    var authTokenFile: String?

    @Argument(parsing: .captureForPassthrough, help: "The dmctl command and its arguments.")
    var command: [String] = []

    func run() async throws {
        let token = try self.authTokenFile.map(readToken)
        let result = await Ctl.run(arguments: self.command, masters: self.master, token: token)
        print(result.json)
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
