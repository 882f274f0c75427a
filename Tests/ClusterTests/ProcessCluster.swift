import BraidTestSupport
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Real `braid` processes on 127.0.0.1 with random ports, each stopped by its PID.
final class ProcessCluster: @unchecked Sendable {
    // Safe: `processes` is only touched under `lock`.
    private let lock = NSLock()
    private var processes: [String: Process] = [:]
    let root: String
    let binary: String

    init(label: String) throws {
        self.root = NSTemporaryDirectory() + "braid-cluster-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true)
        self.binary = builtExecutable(named: "braid")
    }

    deinit {
        self.stopAll()
        try? FileManager.default.removeItem(atPath: self.root)
    }

    /// A free TCP port on 127.0.0.1. See `freeLoopbackPort()`: below the ephemeral range, so no outgoing connection takes it first.
    static func freePort() -> UInt16 { UInt16(freeLoopbackPort()) }

    /// Starts `braid <arguments>` as `name`, with output in `<root>/<name>.log`.
    @discardableResult
    func start(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: self.binary)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let logPath = self.root + "/\(name).log"
        // A restarted process appends to its log, so a post-mortem sees every incarnation.
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        self.lock.withLock { self.processes[name] = p }
        return p
    }

    func process(_ name: String) -> Process? { self.lock.withLock { self.processes[name] } }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: self.root + "/\(name).log", encoding: .utf8)) ?? ""
    }

    /// Sends `signal` to the named process by its PID and waits for it to exit.
    func kill(_ name: String, signal: Int32) {
        guard let p = self.lock.withLock({ self.processes.removeValue(forKey: name) }) else { return }
        if p.isRunning { Glibc.kill(p.processIdentifier, signal) }
        p.waitUntilExit()
    }

    func stopAll() {
        let all = self.lock.withLock { () -> [Process] in
            defer { self.processes = [:] }
            return Array(self.processes.values)
        }
        for p in all where p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }
        for p in all { p.waitUntilExit() }
    }

    /// Runs `braid <arguments>` to completion and returns its exit code and standard output.
    ///
    /// The child is waited for on a thread of its own: blocking a thread of the shared concurrency
    /// pool (two on a two-core machine) for every `braid ctl` call starved the other suites.
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let binary = self.binary
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: binary)
                p.arguments = arguments
                let pipe = Pipe()
                p.standardOutput = pipe
                p.standardError = pipe
                do {
                    try p.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                continuation.resume(returning: (p.terminationStatus, String(decoding: data, as: UTF8.self)))
            }
        }
    }
}
