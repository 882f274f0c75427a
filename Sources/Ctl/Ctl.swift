import Foundation
public import MasterClient
import API
import Domain

/// `braid ctl`: DM's dmctl commands over the master's HTTP API.
///
/// Each command returns dmctl-shaped JSON (`{"result": true, "msg": "", ...}`) and an exit code
/// (0 ok, 1 the master refused or failed, 2 usage), so the executable only prints, and tests can
/// assert on both without spawning a process.
public struct Ctl: Sendable {
    public struct Result: Sendable, Hashable {
        public var json: String
        public var exitCode: Int32
    }

    let client: MasterClient

    public init(client: MasterClient) {
        self.client = client
    }

    /// Builds the client from `--master` and an optional token, then runs `arguments`.
    public static func run(arguments: [String], masters: String, token: String? = nil) async -> Result {
        do {
            let client = try MasterClient(masters: MasterClient.addresses(masters), token: token)
            return await Ctl(client: client).run(arguments)
        } catch {
            return Self.failure(error.description, exitCode: 2)
        }
    }

    public static let commands = [
        "operate-source", "transfer-source", "start-task", "stop-task", "pause-task", "resume-task", "query-status",
        "shard-ddl-lock", "binlog", "binlog-schema", "list-member", "offline-member", "get-config",
    ]

    /// Runs one dmctl command line (`["start-task", "task.yaml"]`).
    public func run(_ arguments: [String]) async -> Result {
        guard let command = arguments.first else {
            return Self.failure("missing command; one of \(Self.commands.joined(separator: ", "))", exitCode: 2)
        }
        let rest = Array(arguments.dropFirst())
        do {
            var reply: [String: Any] = try await self.dispatch(command, rest)
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

    private func dispatch(_ command: String, _ rest: [String]) async throws -> [String: Any] {
        switch command {
        case "operate-source": try await self.operateSource(rest)
        case "transfer-source": try await self.transferSource(rest)
        case "start-task": try await self.startTask(rest)
        case "stop-task", "pause-task", "resume-task": try await self.operateTask(command, rest)
        case "query-status": try await self.queryStatus(rest)
        case "shard-ddl-lock": try await self.shardDDLLock(rest)
        case "binlog": try await self.binlog(rest)
        case "binlog-schema": try await self.binlogSchema(rest)
        case "list-member": try await self.listMember(rest)
        case "offline-member": try await self.offlineMember(rest)
        case "get-config": try await self.getConfig(rest)
        default: throw CtlError.usage("unknown command \(command); one of \(Self.commands.joined(separator: ", "))")
        }
    }

    static func readFile(_ path: String) throws(CtlError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CtlError.failed("cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
