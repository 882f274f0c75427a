import Etcd
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Real `etcd` members (Debian's etcd-server 3.4) on 127.0.0.1 with free ports, each in its own
/// scratch folder, started and stopped by PID. Tests kill, pause and restart members to inject
/// etcd faults.
public final class EtcdCluster: Sendable {
    public struct Member: Sendable {
        public var name: String
        public var clientPort: Int
        public var peerPort: Int
        public var dataDirectory: String
        public var clientURL: String { "http://127.0.0.1:\(self.clientPort)" }
    }

    public let members: [Member]
    public let directory: String
    let token: String
    let extraArguments: [String]
    private let processes: Mutex<[String: Process]> = Mutex([:])

    /// `host:port` of every member, as `--etcd` takes them.
    public var endpoints: [String] { self.members.map { "127.0.0.1:\($0.clientPort)" } }

    /// Starts `size` members and waits until the cluster answers a linearizable read.
    /// - Parameter extraArguments: e.g. `--quota-backend-bytes=16777216`.
    public static func start(size: Int = 3, fsync: Bool = false, extraArguments: [String] = []) async throws -> EtcdCluster {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("braid-etcd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var members: [Member] = []
        for i in 1...size {
            members.append(Member(name: "e\(i)", clientPort: freeLoopbackPort(), peerPort: freeLoopbackPort(), dataDirectory: "\(directory)/e\(i)"))
        }
        let cluster = EtcdCluster(
            members: members, directory: directory, token: "braid-test-\(UUID().uuidString.prefix(8))",
            extraArguments: (fsync ? [] : ["--unsafe-no-fsync"]) + extraArguments)
        for member in members { try cluster.launch(member.name, initial: true) }
        // Stopped on every failure path, a thrown health check included: no member outlives the test.
        let healthy: Bool
        do {
            healthy = try await cluster.waitHealthy(timeout: .seconds(60))
        } catch {
            cluster.stopAll()
            throw EtcdStartError(description: "etcd health check failed: \(error)\n\(cluster.logTail(members[0].name))")
        }
        guard healthy else {
            cluster.stopAll()
            throw EtcdStartError(description: "etcd did not become healthy within 60 s:\n\(cluster.logTail(members[0].name))")
        }
        return cluster
    }

    init(members: [Member], directory: String, token: String, extraArguments: [String]) {
        self.members = members
        self.directory = directory
        self.token = token
        self.extraArguments = extraArguments
    }

    private func launch(_ name: String, initial: Bool) throws {
        guard let member = self.members.first(where: { $0.name == name }) else { return }
        let initialCluster = self.members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
        process.arguments = [
            "--name", member.name, "--data-dir", member.dataDirectory,
            "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
            "--listen-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-cluster", initialCluster, "--initial-cluster-token", self.token,
            "--initial-cluster-state", "new", "--logger", "zap", "--log-outputs", "stderr",
        ] + self.extraArguments
        let log = "\(self.directory)/\(member.name).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.processes.withLock { $0[name] = process }
    }

    /// Whether a linearizable read (which needs a quorum with a leader) succeeds before `timeout`.
    public func waitHealthy(timeout: Duration) async throws -> Bool {
        let running = self.members.filter { self.isRunning($0.name) }.map { "127.0.0.1:\($0.clientPort)" }
        guard let client = try? EtcdClient(endpoints: running, requestTimeout: .seconds(1)) else { return false }
        return try await eventually(timeout: timeout, poll: .milliseconds(100)) {
            _ = try await client.range("/braid-health")
            return true
        }
    }

    public func pid(_ name: String) -> Int32? { self.processes.withLock { $0[name]?.processIdentifier } }
    public func isRunning(_ name: String) -> Bool { self.processes.withLock { $0[name]?.isRunning ?? false } }

    /// SIGKILL: a crash.
    public func kill(_ name: String) {
        guard let process = self.processes.withLock({ $0.removeValue(forKey: name) }) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts a killed member again on its data folder.
    public func restart(_ name: String) throws { try self.launch(name, initial: false) }

    public func pause(_ name: String) { if let pid = self.pid(name) { Glibc.kill(pid, SIGSTOP) } }
    public func resume(_ name: String) { if let pid = self.pid(name) { Glibc.kill(pid, SIGCONT) } }

    public func logTail(_ name: String, lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: "\(self.directory)/\(name).log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Kills every member (by PID) and deletes the folders.
    public func stopAll() {
        let all = self.processes.withLock { processes -> [Process] in
            defer { processes = [:] }
            return Array(processes.values)
        }
        for process in all where process.isRunning {
            Glibc.kill(process.processIdentifier, SIGCONT)
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: self.directory)
    }
}

public struct EtcdStartError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs `body` with a fresh etcd cluster, stopping it however `body` ends.
public func withEtcdCluster<T>(
    size: Int = 3, fsync: Bool = false, extraArguments: [String] = [], _ body: (EtcdCluster) async throws -> T
) async throws -> T {
    let cluster = try await EtcdCluster.start(size: size, fsync: fsync, extraArguments: extraArguments)
    do {
        let result = try await body(cluster)
        cluster.stopAll()
        return result
    } catch {
        cluster.stopAll()
        throw error
    }
}
