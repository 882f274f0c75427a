import ArgumentParser
import Foundation
import Logging
import Worker

/// `braid worker`: parses flags and calls `Worker.run`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: register with the master, keep alive, and run the subtasks of its bound source."
    )

    @Option(help: "This worker's name (unique in the cluster).")
    var name: String

    @Option(help: "Master addresses, comma separated (host:port).")
    var master: String

    @Option(help: "The address this worker advertises to the master and serves GET /status and /metrics on.")
    var listen: String = "127.0.0.1:8262"

    @Option(name: .customLong("auth-token-file"), help: "Send 'Authorization: Bearer <token>' with the token in this file.")
    var authTokenFile: String?

    @Option(name: .customLong("secret-key-file"), help: "The master's 32-byte key (raw, hex or base64) opening source passwords.")
    var secretKeyFile: String?

    @Option(help: "Subtask runner: 'binlog' (replicates for real), 'noop' (logs only) or 'scripted' (test fixture; scripts in $BRAID_SCRIPT_DIR).")
    var runner: String = "binlog"

    func run() async throws {
        let runner: any SubtaskRunner
        switch self.runner {
        case "binlog":
            runner = BinlogSubtaskRunner()
        case "noop":
            runner = NoopSubtaskRunner()
        case "scripted":
            guard let scripted = ScriptedSubtaskRunner.fromEnvironment() else {
                throw ValidationError("--runner scripted needs BRAID_SCRIPT_DIR")
            }
            runner = scripted
        default:
            throw ValidationError("--runner must be binlog, noop or scripted")
        }
        var secretKey: SecretKey?
        if let file = self.secretKeyFile {
            guard let data = FileManager.default.contents(atPath: file), let key = SecretKey(fileContents: data) else {
                throw ValidationError("--secret-key-file \(file) must hold a 32-byte key (raw, hex or base64)")
            }
            secretKey = key
        }
        let configuration = WorkerConfiguration(
            name: self.name,
            masters: self.master.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) },
            advertiseAddress: self.listen,
            statusAddress: self.listen,
            authToken: try self.authTokenFile.map(readToken),
            secretKey: secretKey,
            runner: runner)
        try await Worker.run(configuration: configuration)
    }
}

/// Reads a bearer token file (whitespace trimmed).
func readToken(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read token file \(path)")
    }
    let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty else { throw ValidationError("token file \(path) is empty") }
    return token
}
