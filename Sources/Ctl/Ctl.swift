public import ArgumentParser
import Foundation
public import MasterClient
import API
import Domain

/// `braid ctl`: DM's dmctl commands over the master's HTTP API.
///
/// Each command returns dmctl-shaped JSON (`{"result": true, "msg": "", ...}`) and an exit code
/// (0 ok, 1 the master refused or failed, 2 usage), so the executable only prints, and tests can
/// assert on both without spawning a process. `--help` anywhere answers the usage text with exit 0.
public struct Ctl: Sendable {
    public struct Result: Sendable, Hashable {
        /// The JSON reply, or the usage text when help was asked for.
        public var json: String
        public var exitCode: Int32
    }

    let client: MasterClient

    public init(client: MasterClient) {
        self.client = client
    }

    /// Builds the client from `--master` and an optional token, then runs `arguments`.
    public static func run(arguments: [String], masters: String, token: String? = nil) async -> Result {
        do throws(CtlError) {
            return await Ctl(client: try Self.client(masters: masters, token: token)).run(arguments)
        } catch {
            return Self.failure(error.message, exitCode: error.exitCode)
        }
    }

    static func client(masters: String, token: String?) throws(CtlError) -> MasterClient {
        do {
            return try MasterClient(masters: MasterClient.addresses(masters), token: token)
        } catch {
            throw CtlError.usage("\(error)")
        }
    }

    /// Runs one dmctl command line (`["start-task", "task.yaml"]`), parsed as `braid ctl` parses it.
    public func run(_ arguments: [String]) async -> Result {
        let command: any ParsableCommand
        do {
            command = try CtlCommand.parseAsRoot(CtlCommand.normalized(arguments))
        } catch {
            return Self.parseFailure(error, root: CtlCommand.self)
        }
        if let subcommand = command as? any CtlSubcommand { return await self.execute(subcommand) }
        if command is CtlCommand { return CtlCommand.missingCommand }
        // swift-argument-parser answers `--help` / `help <command>` with its own help command, which prints;
        // in-process the text is the result.
        return Result(json: Self.help(for: arguments), exitCode: 0)
    }

    /// The usage text of the deepest command the arguments name.
    static func help(for arguments: [String]) -> String {
        var command: any ParsableCommand.Type = CtlCommand.self
        for argument in arguments where !argument.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0.configuration.commandName == argument }) else {
                continue
            }
            command = next
        }
        return CtlCommand.helpMessage(for: command).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A parse error as ctl reports it: help is text with exit 0, anything else a JSON usage error (exit 2).
    public static func parseFailure<Root: ParsableCommand>(_ error: any Error, root: Root.Type) -> Result {
        let message = Root.fullMessage(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
        if Root.exitCode(for: error) == .success { return Result(json: message, exitCode: 0) }
        return Self.failure(message, exitCode: 2)
    }

    func execute(_ command: any CtlSubcommand) async -> Result {
        do {
            var reply: [String: Any] = try await command.reply(self)
            reply["result"] = reply["result"] ?? true
            reply["msg"] = reply["msg"] ?? ""
            let ok = (reply["result"] as? Bool) ?? true
            return Result(json: CtlOutput.render(reply), exitCode: ok ? 0 : 1)
        } catch let error as CtlError {
            return Self.failure(error.message, exitCode: error.exitCode)
        } catch let error as MasterClientError {
            var reply: [String: Any] = ["result": false, "msg": error.message, "code": error.code]
            if let field = error.field { reply["field"] = field }
            if let status = error.status { reply["status"] = status }
            return Result(json: CtlOutput.render(reply), exitCode: 1)
        } catch {
            return Self.failure("\(error)", exitCode: 1)
        }
    }

    static func failure(_ message: String, exitCode: Int32) -> Result {
        Result(json: CtlOutput.render(["result": false, "msg": message]), exitCode: exitCode)
    }

    static func readFile(_ path: String) throws(CtlError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CtlError.failed("cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
