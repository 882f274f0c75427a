import Foundation
import MySQLClient
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway `mariadbd` on 127.0.0.1 with a random free port and its own temporary data
/// directory, binlog on (ROW, FULL image). Prefer `withMariaDBServer { }`, which always stops the
/// server and removes its files, even when the body throws.
///
/// `@unchecked Sendable`: the mutable process state is guarded by `lock`.
public final class MariaDBServer: @unchecked Sendable {
    public struct Configuration: Sendable {
        public enum RowMetadata: String, Sendable { case full = "FULL", minimal = "MINIMAL", noLog = "NO_LOG" }
        public var rowMetadata: RowMetadata
        public var serverID: UInt32
        /// Generate a self-signed certificate and start the server with `--ssl-*`.
        public var tls: Bool
        public var extraArguments: [String]

        public init(rowMetadata: RowMetadata = .full, serverID: UInt32 = 1, tls: Bool = false, extraArguments: [String] = []) {
            self.rowMetadata = rowMetadata
            self.serverID = serverID
            self.tls = tls
            self.extraArguments = extraArguments
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    public let configuration: Configuration
    public let host = "127.0.0.1"
    public let port: Int
    /// A user with every privilege (incl. REPLICATION SLAVE) that connects over TCP.
    public let user = "braid"
    public let password = "braid-pw"
    public let socketPath: String
    public let baseDirectory: String
    public var dataDirectory: String { self.baseDirectory + "/data" }
    /// The server's own `--tmpdir`. Beside `data` rather than in it, so it never shows up as a database;
    /// never the machine-wide temporary folder, whose files another process may clean up mid-run.
    public var temporaryDirectory: String { self.baseDirectory + "/tmp" }
    /// PEM files when `configuration.tls` (the CA is the self-signed server certificate).
    public var tlsCertificateFile: String? { self.configuration.tls ? self.baseDirectory + "/cert.pem" : nil }
    /// How long the last (re)start took, from launching `mariadbd` to the user being ready.
    public var lastStartupDuration: Duration { self.lock.withLock { self.startup } }
    public var processID: Int32? { self.lock.withLock { self.process?.processIdentifier } }

    private let lock = NSLock()
    private var process: Process?
    private var startup: Duration = .zero

    private init(configuration: Configuration, port: Int, baseDirectory: String) {
        self.configuration = configuration
        self.port = port
        self.baseDirectory = baseDirectory
        self.socketPath = baseDirectory + "/mysqld.sock"
    }

    /// TCP connect options for `user`, with optional database and session variables.
    public func connectOptions(
        database: String? = nil, sessionVariables: [MySQLConnectOptions.SessionVariable] = []
    ) -> MySQLConnectOptions {
        MySQLConnectOptions(
            endpoint: .tcp(host: self.host, port: self.port), user: self.user, password: self.password, database: database,
            sessionVariables: sessionVariables)
    }

    public func connect(database: String? = nil, sessionVariables: [MySQLConnectOptions.SessionVariable] = []) async throws -> MySQLConnection {
        try await MySQLConnection.connect(self.connectOptions(database: database, sessionVariables: sessionVariables))
    }

    /// Creates the data directory (a copy of a cached `mariadb-install-db` template), starts the
    /// server and waits until `user` can connect.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> MariaDBServer {
        let base = NSTemporaryDirectory() + "braid-mdb-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        do {
            // Child processes are waited for on a thread of their own, never on the two threads of the
            // shared concurrency pool that every other suite's deadlines depend on.
            let template = try await offPool { try Self.template() }
            try await offPool { try run("/bin/cp", ["-a", template, base + "/data"]) }
            try FileManager.default.createDirectory(atPath: base + "/tmp", withIntermediateDirectories: true)
            let server = MariaDBServer(configuration: configuration, port: freeLoopbackPort(), baseDirectory: base)
            if configuration.tls {
                try await offPool {
                    try run("/usr/bin/openssl", [
                        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-keyout", base + "/key.pem", "-out", base + "/cert.pem",
                    ])
                }
            }
            try await server.launch()
            return server
        } catch {
            try? FileManager.default.removeItem(atPath: base)
            throw error
        }
    }

    /// SIGTERM, then wait up to `timeout` for the process to exit; SIGKILL if it does not. Keeps the files.
    public func stop(timeout: Duration = .seconds(30)) async throws {
        guard let process = self.lock.withLock({ self.process }) else { return }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        if !(try await waitForExit(process, timeout: timeout)) {
            Glibc.kill(process.processIdentifier, SIGKILL)
            _ = try await waitForExit(process, timeout: .seconds(10))
        }
        self.lock.withLock { self.process = nil }
    }

    /// SIGKILL, as a crash would; waits for the process to be gone. Keeps the files.
    public func kill() async throws {
        guard let process = self.lock.withLock({ self.process }) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        _ = try await waitForExit(process, timeout: .seconds(10))
        self.lock.withLock { self.process = nil }
    }

    /// Stops (if running) and starts the server again on the same port and data directory.
    public func restart() async throws {
        try await self.stop()
        try await self.launch()
    }

    /// Stops the server and removes its directory.
    public func shutdown() async throws {
        defer { try? FileManager.default.removeItem(atPath: self.baseDirectory) }
        try await self.stop()
    }

    private func launch() async throws {
        let started = ContinuousClock.now
        var arguments = [
            "--no-defaults", "--datadir=\(self.dataDirectory)", "--socket=\(self.socketPath)", "--port=\(self.port)",
            "--bind-address=127.0.0.1", "--pid-file=\(self.baseDirectory)/mysqld.pid",
            "--log-error=\(self.baseDirectory)/error.log", "--tmpdir=\(self.temporaryDirectory)", "--log-bin=mysql-bin", "--binlog-format=ROW",
            "--binlog-row-image=FULL", "--binlog-row-metadata=\(self.configuration.rowMetadata.rawValue)",
            "--server-id=\(self.configuration.serverID)", "--skip-name-resolve", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci", "--sync-binlog=0", "--innodb-flush-log-at-trx-commit=2",
        ] + Self.innodbArguments
        if getuid() == 0 { arguments.append("--user=root") }
        if self.configuration.tls {
            arguments += [
                "--ssl-cert=\(self.baseDirectory)/cert.pem", "--ssl-key=\(self.baseDirectory)/key.pem",
                "--ssl-ca=\(self.baseDirectory)/cert.pem",
            ]
        }
        arguments += self.configuration.extraArguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mariadbd")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.lock.withLock { self.process = process }

        // Ready = root can log in over the socket; then make the TCP user.
        let rootOptions = MySQLConnectOptions(endpoint: .unixSocket(path: self.socketPath), user: "root", connectTimeout: .seconds(2))
        let deadline = ContinuousClock.now + .seconds(60)
        var root: MySQLConnection?
        while root == nil {
            guard process.isRunning else {
                throw StartError(description: "mariadbd exited during start-up (\(process.terminationStatus)):\n\(self.errorLogTail())")
            }
            guard ContinuousClock.now < deadline else {
                try? await self.kill()
                throw StartError(description: "mariadbd did not accept connections within 60 s:\n\(self.errorLogTail())")
            }
            if FileManager.default.fileExists(atPath: self.socketPath) {
                root = try? await MySQLConnection.connect(rootOptions)
            }
            if root == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        try await root!.withSession { (session) throws(MySQLError) in
            try session.execute("CREATE USER IF NOT EXISTS '\(self.user)'@'%' IDENTIFIED BY '\(self.password)'")
            try session.execute("GRANT ALL PRIVILEGES ON *.* TO '\(self.user)'@'%' WITH GRANT OPTION")
        }
        await root!.close()
        let elapsed = ContinuousClock.now - started
        self.lock.withLock { self.startup = elapsed }
    }

    /// The last lines of the server's error log, for start-up failure messages.
    public func errorLogTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: self.baseDirectory + "/error.log", encoding: .utf8)) ?? "(no error log)"
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Small InnoDB files and no fsync: start-up and tests are fast, durability is not needed.
    private static let innodbArguments = [
        "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M", "--innodb-flush-method=nosync",
        "--skip-innodb-doublewrite",
    ]

    /// `mariadb-install-db` takes seconds, so its output is made once per machine (keyed by the
    /// server version) and copied per server. Built in a scratch folder and renamed into place, so
    /// concurrent test processes never see half a template. A failed build is retried once in a fresh
    /// scratch folder: the bootstrap has died on a fresh machine for reasons outside the test
    /// (`Unknown table 'mysql.tmp_proxies_priv'` once its temporary file vanished).
    private static func template() throws -> String {
        let version = try output("/usr/sbin/mariadbd", ["--version"]).filter { $0.isLetter || $0.isNumber || $0 == "." }
        let path = NSTemporaryDirectory() + "braid-mariadb-template-\(version.prefix(60))"
        do {
            try buildTemplate(at: path)
        } catch {
            try buildTemplate(at: path)
        }
        return path
    }

    /// One attempt: `mariadb-install-db` into `<scratch>/data` with its own `--tmpdir` `<scratch>/tmp`
    /// (the bootstrap keeps temporary tables there), then `<scratch>/data` renamed to `path`.
    private static func buildTemplate(at path: String) throws {
        if FileManager.default.fileExists(atPath: path + "/mysql") { return }
        let scratch = path + "-building-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch + "/tmp", withIntermediateDirectories: true)
        var arguments = [
            "--no-defaults", "--datadir=\(scratch)/data", "--tmpdir=\(scratch)/tmp",
            "--auth-root-authentication-method=normal", "--skip-test-db",
        ] + innodbArguments
        if getuid() == 0 { arguments.append("--user=root") }
        try run("/usr/bin/mariadb-install-db", arguments)
        // A failed rename means another process won the race and its template is in place.
        _ = rename(scratch + "/data", path)
    }
}

/// Starts a server, runs `body`, and always shuts the server down and removes its files.
public func withMariaDBServer<T>(
    _ configuration: MariaDBServer.Configuration = MariaDBServer.Configuration(),
    _ body: (MariaDBServer) async throws -> T
) async throws -> T {
    let server = try await MariaDBServer.start(configuration)
    do {
        let value = try await body(server)
        try await server.shutdown()
        return value
    } catch {
        try? await server.shutdown()
        throw error
    }
}

private func waitForExit(_ process: Process, timeout: Duration) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// Runs blocking work on a dedicated thread and resumes when it is done.
private func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

private func run(_ executable: String, _ arguments: [String]) throws {
    _ = try output(executable, arguments)
}

private func output(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw MariaDBServer.StartError(description: "\(executable) \(arguments.joined(separator: " ")) failed:\n\(text)")
    }
    return text
}
