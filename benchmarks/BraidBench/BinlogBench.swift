import Foundation
import MySQLClient

#if canImport(Glibc)
import Glibc
#endif

/// Reads and decodes a sysbench-like binlog (200k rows in multi-row transactions, then 100k
/// single-row autocommit inserts) with `BinlogStream` + `RowDecoder` in catch-up mode, then reads
/// the same binlog with PyPI's `mysql-replication` (`benchmarks/binlog_python.py`) and prints the
/// ratio. `BENCH_PYTHON` picks the interpreter (default `python3`).
enum BinlogBench {
    static func run(scratch: String) async throws {
        print("== Binlog: read + decode to EOF (NON_BLOCK), MariaDB 10.11, TCP loopback ==")
        let server = try BenchMariaDB.start(scratch: scratch)
        defer { server.stop() }
        let options = MySQLConnectOptions(endpoint: .tcp(host: "127.0.0.1", port: server.port), user: BenchMariaDB.user, password: BenchMariaDB.password)
        let start = try await self.generate(options)

        let fetchOnly = try await self.readAll(options, from: start, decode: false)
        print(String(format: "braid  fetch+copy only (no row decoding): %d events in %.3f s -> %.0f events/s",
                     fetchOnly.events, fetchOnly.seconds, Double(fetchOnly.events) / fetchOnly.seconds))
        var best: (events: Int, rows: Int, seconds: Double)?
        for attempt in 1...3 {
            let result = try await self.readAll(options, from: start)
            print(String(format: "braid  run %d: %d events, %d rows in %.3f s -> %.0f events/s, %.0f rows/s",
                         attempt, result.events, result.rows, result.seconds,
                         Double(result.events) / result.seconds, Double(result.rows) / result.seconds))
            if best == nil || result.seconds < best!.seconds { best = result }
        }
        guard let best else { return }

        let python = ProcessInfo.processInfo.environment["BENCH_PYTHON"] ?? "python3"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("binlog_python.py").path
        guard let line = try? self.runPython(python, script, server.port, start), let py = parsePython(line) else {
            print("python mysql-replication not available (pip install mysql-replication; BENCH_PYTHON=<python>); skipping the comparison")
            return
        }
        print(String(format: "python run: %d events, %d rows in %.3f s -> %.0f events/s, %.0f rows/s",
                     py.events, py.rows, py.seconds, Double(py.events) / py.seconds, Double(py.rows) / py.seconds))
        if py.rows != best.rows { print("WARNING: row counts differ (braid \(best.rows), python \(py.rows))") }
        print(String(format: "RATIO braid/python-mysql-replication: %.1fx rows/s, %.1fx events/s",
                     (Double(best.rows) / best.seconds) / (Double(py.rows) / py.seconds),
                     (Double(best.events) / best.seconds) / (Double(py.events) / py.seconds)))
    }

    /// The workload; returns the binlog position it starts at.
    static func generate(_ options: MySQLConnectOptions) async throws -> BinlogPosition {
        let setup = try await MySQLConnection.connect(options)
        try await setup.execute("CREATE DATABASE sbtest")
        try await setup.execute("""
            CREATE TABLE sbtest.sbtest1 (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT UNSIGNED NOT NULL DEFAULT 0,
              c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', KEY k_1 (k)) ENGINE=InnoDB
            """)
        let status = try await setup.query("SHOW MASTER STATUS").rows[0]
        let start = BinlogPosition(file: status.string(0)!, position: UInt64(status.string(1)!)!)
        await setup.close()

        let clock = ContinuousClock()
        let began = clock.now
        // 200k rows: 2,000 transactions of one 100-row INSERT each, over 4 connections.
        try await self.parallel(connections: 4, options: options) { worker in
            var random = SplitMix(seed: UInt64(worker) + 1)
            return (0..<500).map { _ in
                "INSERT INTO sbtest.sbtest1 (k, c, pad) VALUES " + (0..<100).map { _ in row(&random) }.joined(separator: ",")
            }
        }
        let batched = clock.now - began
        // 100k single-row autocommit INSERTs, over 4 connections.
        try await self.parallel(connections: 4, options: options) { worker in
            var random = SplitMix(seed: UInt64(worker) + 100)
            return (0..<25_000).map { _ in "INSERT INTO sbtest.sbtest1 (k, c, pad) VALUES " + row(&random) }
        }
        print("generated 200000 rows in 2000 transactions (\(batched)) and 100000 autocommit rows (\(clock.now - began - batched))")
        return start
    }

    static func readAll(
        _ options: MySQLConnectOptions, from start: BinlogPosition, decode: Bool = true
    ) async throws -> (events: Int, rows: Int, seconds: Double) {
        let clock = ContinuousClock()
        let began = clock.now
        let stream = try await BinlogStream.open(options, .init(start: .position(start), serverID: 4242, mode: .untilEnd))
        var decoders: [UInt64: RowDecoder] = [:]
        var events = 0
        var rows = 0
        while true {
            let batch = try await stream.nextBatch()
            if batch.isEmpty { break }
            events += batch.count
            for event in batch where decode {
                guard case .rows(let rowsEvent) = event.kind, let map = rowsEvent.tableMap else { continue }
                let decoder: RowDecoder
                if let cached = decoders[map.tableID], cached.tableMap == map {
                    decoder = cached
                } else {
                    decoder = try RowDecoder(tableMap: map)
                    decoders[map.tableID] = decoder
                }
                rows += try decoder.decode(rowsEvent).count
            }
        }
        stream.close()
        return (events, rows, Double(nanos(clock.now - began)) / 1e9)
    }

    private static func parallel(
        connections: Int, options: MySQLConnectOptions, _ statements: @escaping @Sendable (Int) -> [String]
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<connections {
                group.addTask {
                    let connection = try await MySQLConnection.connect(options)
                    let work = statements(worker)
                    // One hop per 100 statements keeps the generator cheap next to the server.
                    for chunk in stride(from: 0, to: work.count, by: 100) {
                        let slice = Array(work[chunk..<min(chunk + 100, work.count)])
                        try await connection.withSession { (session) throws(MySQLError) in
                            for sql in slice { try session.execute(sql) }
                        }
                    }
                    await connection.close()
                }
            }
            try await group.waitForAll()
        }
    }

    /// sysbench's value shapes: k random, c 11 groups of 11 digits, pad 5 groups.
    private static func row(_ random: inout SplitMix) -> String {
        func groups(_ n: Int) -> String {
            (0..<n).map { _ in String((0..<11).map { _ in Character(String(random.next() % 10)) }) }.joined(separator: "-")
        }
        return "(\(random.next() % 100_000), '\(groups(10))', '\(groups(5))')"
    }

    static func runPython(_ python: String, _ script: String, _ port: Int, _ start: BinlogPosition) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--port", "\(port)", "--user", BenchMariaDB.user, "--password", BenchMariaDB.password,
                             "--file", start.file, "--pos", "\(start.position)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        try process.run()
        // python-mysql-replication reconnects forever on some errors; never let it hang the bench.
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 900) { if process.isRunning { kill(pid, SIGKILL) } }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func parsePython(_ line: String) -> (events: Int, rows: Int, seconds: Double)? {
        var fields: [String: String] = [:]
        for part in line.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let events = fields["events"].flatMap({ Int($0) }), let rows = fields["rows"].flatMap({ Int($0) }),
            let seconds = fields["seconds"].flatMap({ Double($0) })
        else { return nil }
        return (events, rows, seconds)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A throwaway MariaDB for the benchmark (benchmarks cannot import the test fixture): install a
/// data directory, start on a random port with the binlog on, wait until root can log in over
/// TCP, stop by PID.
final class BenchMariaDB {
    static let user = "bench"
    static let password = "bench-pw"
    let process: Process
    let port: Int
    let directory: String

    /// `binlog: false` starts a server that only receives (a downstream): no binlog is written for
    /// what appliers apply, which keeps Braid, a native replica and the client on equal terms.
    static func start(scratch: String, serverID: Int = 1, binlog: Bool = true, extra: [String] = []) throws -> BenchMariaDB {
        // A random port may be taken (other servers on the machine): try a few.
        for attempt in 1...4 {
            do {
                return try self.startOnce(scratch: scratch, serverID: serverID, binlog: binlog, extra: extra)
            } catch let error as BenchFailure where attempt < 4 && error.message.contains("Address already in use") {
                continue
            }
        }
        fatalError("unreachable")
    }

    private static func startOnce(scratch: String, serverID: Int, binlog: Bool, extra: [String]) throws -> BenchMariaDB {
        let directory = scratch + "/bench-mariadb-\(UUID().uuidString.prefix(8))"
        var root = ["--user=root"]
        if getuid() != 0 { root = [] }
        // Its own --tmpdir: the bootstrap dies if a file it left in a shared /tmp is cleaned up meanwhile.
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        try shell("/usr/bin/mariadb-install-db", ["--no-defaults", "--datadir=\(directory)/data", "--tmpdir=\(directory)/tmp", "--auth-root-authentication-method=normal",
                                                  "--skip-test-db"] + root)
        let port = Int.random(in: 40_000...49_999)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mariadbd")
        process.arguments = [
            "--no-defaults", "--datadir=\(directory)/data", "--tmpdir=\(directory)/tmp", "--socket=\(directory)/sock", "--port=\(port)", "--bind-address=127.0.0.1",
            "--log-error=\(directory)/error.log", "--pid-file=\(directory)/pid",
        ] + (binlog ? ["--log-bin=mysql-bin"] : ["--skip-log-bin"]) + [
            "--binlog-format=ROW", "--binlog-row-image=FULL", "--binlog-row-metadata=FULL", "--server-id=\(serverID)", "--skip-name-resolve",
            "--character-set-server=utf8mb4", "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0", "--innodb-buffer-pool-size=512M",
            "--max-binlog-size=1G",
        ] + extra + root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = BenchMariaDB(process: process, port: port, directory: directory)
        // Ready when root logs in over the socket; then make the TCP user.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if (try? shell("/usr/bin/mariadb", ["--no-defaults", "--socket=\(directory)/sock", "-uroot", "-e",
                                                "CREATE USER \(user)@'%' IDENTIFIED BY '\(password)'; GRANT ALL ON *.* TO \(user)@'%'"])) != nil {
                return server
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: "\(directory)/error.log", encoding: .utf8))?.split(separator: "\n").suffix(8).joined(separator: "\n") ?? ""
        server.stop()
        throw BenchFailure(message: "mariadbd did not start:\n\(log)")
    }

    private init(process: Process, port: Int, directory: String) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    func stop() {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGTERM) }
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    @discardableResult
    static func shell(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure(message: "\(executable) failed: \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}
