import Domain
import Foundation
import MySQLClient
import Replication

/// Incremental apply, one source: `sysbench oltp_insert` (Debian sysbench) writes N single-row
/// autocommit INSERTs into 4 tables upstream; the same binlog range (after `prepare`) is then applied
/// into one downstream server, from a freshly re-created schema each time, by
/// 1. Braid's `Syncer` (in process, `BinlogUpstreamReader` `.untilEnd`; worker-count/batch of the task),
/// 2. a native MariaDB replica (the downstream server itself: CHANGE MASTER TO the start position,
///    START SLAVE, until `Exec_Master_Log_Pos` reaches the end), single-threaded and with
///    `slave_parallel_threads`,
/// 3. the `mariadb` client loading `mariadb-dump --compact --no-create-info --extended-insert` of the
///    same rows (multi-row INSERTs of up to net_buffer_length = 1 MiB each).
/// The downstream runs without a binlog, with the same settings for all three
/// (innodb_flush_log_at_trx_commit=2, sync_binlog=0, 512M buffer pool).
///
/// Then the replication lag under a live workload (`lag`, LagBench.swift).
///
/// Environment: BENCH_EVENTS (200000), BENCH_REPEAT (2), BENCH_WORKERS (16), BENCH_BATCH (100),
/// BENCH_PARALLEL_THREADS (4; 0 skips the parallel replica run), BENCH_LAG_SECONDS (20; 0 skips the
/// lag runs), BENCH_LAG_RATE (2000 upstream transactions/s).
enum ApplyBench {
    static func env(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }

    static func run(scratch: String) async throws {
        let events = self.env("BENCH_EVENTS", 200_000)
        let repeats = self.env("BENCH_REPEAT", 2)
        let workers = self.env("BENCH_WORKERS", 16)
        let batch = self.env("BENCH_BATCH", 100)
        let parallel = self.env("BENCH_PARALLEL_THREADS", 4)
        let tables = 4
        print("== Apply: sysbench oltp_insert binlog -> one downstream (MariaDB 10.11, TCP loopback, innodb_flush_log_at_trx_commit=2, downstream binlog off) ==")
        let upstream = try BenchMariaDB.start(scratch: scratch, serverID: 1)
        defer { upstream.stop() }
        let downstream = try BenchMariaDB.start(scratch: scratch, serverID: 2, binlog: false)
        defer { downstream.stop() }
        let up = SyncHarness.options(port: upstream.port)
        let down = SyncHarness.options(port: downstream.port)

        // The workload.
        // `heartbeat` carries the lag probes (`lag`); it stays empty during the throughput runs.
        try await SyncHarness.execute(
            up, ["CREATE DATABASE sbtest", "CREATE TABLE sbtest.heartbeat (id INT NOT NULL PRIMARY KEY, note VARCHAR(16) NOT NULL)"])
        let sysbench = [
            "oltp_insert", "--db-driver=mysql", "--mysql-host=127.0.0.1", "--mysql-port=\(upstream.port)",
            "--mysql-user=\(BenchMariaDB.user)", "--mysql-password=\(BenchMariaDB.password)", "--mysql-db=sbtest",
            "--tables=\(tables)", "--threads=4", "--events=\(events)", "--time=0",
        ]
        // Empty tables; `run` needs a table size for the range of `k` only (0 makes k overflow INT).
        try BenchMariaDB.shell("/usr/bin/sysbench", sysbench + ["--table-size=0", "prepare"])
        let start = try await SyncHarness.masterStatus(up)
        let clock = ContinuousClock()
        let began = clock.now
        let output = try BenchMariaDB.shell("/usr/bin/sysbench", sysbench + ["--table-size=1000000", "run"])
        let generated = clock.now - began
        let end = try await SyncHarness.masterStatus(up)
        var rows = 0
        for t in 1...tables { rows += Int(try await SyncHarness.scalar(up, "SELECT COUNT(*) FROM sbtest.sbtest\(t)") ?? "0") ?? 0 }
        let checksums = try await self.checksums(up, tables: tables)
        let tps = output.split(separator: "\n").first { $0.contains("transactions:") }?.trimmingCharacters(in: .whitespaces) ?? ""
        print("command: sysbench \(sysbench.joined(separator: " ")) --table-size=0 prepare, then the same with --table-size=1000000 run")
        print("generated \(rows) rows in \(generated) (sysbench \(tps)); binlog \(start) .. \(end)")

        // The same rows as multi-row INSERTs, and the schema.
        let dir = upstream.directory
        let dumpAuth = "--no-defaults -h127.0.0.1 -P\(upstream.port) -u\(BenchMariaDB.user) -p\(BenchMariaDB.password)"
        try BenchMariaDB.shell("/bin/bash", ["-c", "mariadb-dump \(dumpAuth) --no-data --databases sbtest > \(dir)/schema.sql"])
        try BenchMariaDB.shell(
            "/bin/bash", ["-c", "mariadb-dump \(dumpAuth) --compact --no-create-info --extended-insert sbtest > \(dir)/rows.sql"])
        let statements = ((try? String(contentsOfFile: "\(dir)/rows.sql", encoding: .utf8))?.components(separatedBy: "INSERT INTO").count ?? 1) - 1
        let downAuth = "--no-defaults -h127.0.0.1 -P\(downstream.port) -u\(BenchMariaDB.user) -p\(BenchMariaDB.password)"
        print("client load: mariadb \(downAuth) sbtest < rows.sql   (rows.sql = mariadb-dump --compact --no-create-info --extended-insert sbtest: \(statements) multi-row INSERTs)")

        func reset() async throws {
            try await SyncHarness.execute(down, ["DROP DATABASE IF EXISTS sbtest", "DROP DATABASE IF EXISTS dm_meta"])
            try BenchMariaDB.shell("/bin/bash", ["-c", "mariadb \(downAuth) < \(dir)/schema.sql"])
        }
        func verify(_ label: String) async throws {
            let got = try await self.checksums(down, tables: tables)
            if got != checksums { print("WARNING: \(label): downstream CHECKSUM TABLE differs from upstream: \(got) vs \(checksums)") }
        }

        var best: [String: Double] = [:]
        func record(_ label: String, _ seconds: Double, _ attempt: Int, _ extra: String = "") {
            print(String(format: "%@ run %d: %d rows in %.3f s -> %.0f rows/s%@", label, attempt, rows, seconds, Double(rows) / seconds, extra))
            best[label] = max(best[label] ?? 0, Double(rows) / seconds)
        }

        // BENCH_ONLY=braid runs Braid alone (for profiling).
        let only = ProcessInfo.processInfo.environment["BENCH_ONLY"]
        for attempt in 1...repeats {
            try await reset()
            let braid = try await self.braid(upstream: upstream.port, downstream: downstream.port, start: start, workers: workers, batch: batch)
            try await verify("braid")
            record("braid (worker-count \(workers), batch \(batch))", braid, attempt)
            if only == "braid" { continue }

            try await reset()
            let replica = try await self.replica(down, upstreamPort: upstream.port, start: start, end: end, threads: 0)
            try await verify("replica")
            record("replica (slave_parallel_threads=0)", replica, attempt)

            if parallel > 0 {
                try await reset()
                let seconds = try await self.replica(down, upstreamPort: upstream.port, start: start, end: end, threads: parallel)
                try await verify("replica parallel")
                record("replica (slave_parallel_threads=\(parallel), mode optimistic)", seconds, attempt)
            }

            try await reset()
            let loadBegan = clock.now
            try BenchMariaDB.shell("/bin/bash", ["-c", "mariadb \(downAuth) sbtest < \(dir)/rows.sql"])
            let load = Double(nanos(clock.now - loadBegan)) / 1e9
            try await verify("client")
            record("mariadb client multi-row INSERT", load, attempt)
        }
        let braid = best["braid (worker-count \(workers), batch \(batch))"] ?? 0
        print("best of \(repeats):")
        for (label, value) in best.sorted(by: { $0.value > $1.value }) { print(String(format: "  %-55@ %8.0f rows/s", label, value)) }
        if let replica = best["replica (slave_parallel_threads=0)"] {
            print(String(format: "RATIO braid/replica(single-threaded): %.2fx (target >= 1.0x)", braid / replica))
        }
        if let replica = best["replica (slave_parallel_threads=\(parallel), mode optimistic)"] {
            print(String(format: "RATIO braid/replica(parallel %d): %.2fx", parallel, braid / replica))
        }
        if let client = best["mariadb client multi-row INSERT"] {
            print(String(format: "RATIO braid/mariadb-client: %.2fx (target >= 0.7x)", braid / client))
        }
        print("load average at the end: \(SyncHarness.loadAverage)")

        let lagSeconds = self.env("BENCH_LAG_SECONDS", 20)
        if lagSeconds > 0 {
            try await self.lag(
                up: up, down: down, upstreamPort: upstream.port, downstreamPort: downstream.port, scratch: dir,
                seconds: lagSeconds, rate: self.env("BENCH_LAG_RATE", 2000), tables: tables, workers: workers, batch: batch,
                reset: reset)
        }
    }

    static func checksums(_ options: MySQLConnectOptions, tables: Int) async throws -> [String] {
        let connection = try await MySQLConnection.connect(options)
        defer { Task { await connection.close() } }
        var sums: [String] = []
        for t in 1...tables {
            sums.append(try await connection.query("CHECKSUM TABLE sbtest.sbtest\(t)").rows.first?.string(1) ?? "?")
        }
        return sums
    }

    /// Braid: one Syncer from `start` to the end of the binlog; seconds from `run()` to its return.
    static func braid(upstream: Int, downstream: Int, start: MySQLClient.BinlogPosition, workers: Int, batch: Int) async throws -> Double {
        let instance = SyncHarness.Instance(sourceID: "replica-01", port: upstream, start: start, serverID: 4343)
        let yaml = SyncHarness.taskYAML(
            name: "apply", downstreamPort: downstream, doDBs: ["sbtest"], instances: [instance], workerCount: workers,
            batch: batch, shardMode: nil, routes: false)
        let task = try TaskConfig.load(yaml: yaml).config
        let syncer = try SyncHarness.syncer(task: task, instance: instance, coordinator: BenchCoordinator(member: "replica-01", hub: BenchLockHub(), sources: 1, tables: 4))
        let clock = ContinuousClock()
        let began = clock.now
        try await syncer.run()
        let seconds = Double(nanos(clock.now - began)) / 1e9
        let t = syncer.timings
        print(String(format: "  braid timings: total %.3f s; prepare %.3f s; read+frame %.3f s; commit %.3f s in %d rounds; barriers %.3f s in %d",
                     seconds, Double(nanos(t.prepare)) / 1e9, Double(nanos(t.read)) / 1e9, Double(nanos(t.commit)) / 1e9, t.rounds, Double(nanos(t.barrier)) / 1e9, t.barriers))
        return seconds
    }

    /// A native replica on the downstream server; seconds from START SLAVE until the SQL thread
    /// executed up to `end`.
    static func replica(
        _ down: MySQLConnectOptions, upstreamPort: Int, start: MySQLClient.BinlogPosition, end: MySQLClient.BinlogPosition, threads: Int
    ) async throws -> Double {
        let connection = try await MySQLConnection.connect(down)
        defer { Task { await connection.close() } }
        try await connection.execute("STOP SLAVE")
        try await connection.execute("RESET SLAVE ALL")
        try await connection.execute("SET GLOBAL slave_parallel_threads=\(threads)")
        try await connection.execute("SET GLOBAL slave_parallel_mode='optimistic'")
        try await connection.execute(
            """
            CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=\(upstreamPort), MASTER_USER='\(BenchMariaDB.user)',
              MASTER_PASSWORD='\(BenchMariaDB.password)', MASTER_LOG_FILE='\(start.file)', MASTER_LOG_POS=\(start.position),
              MASTER_USE_GTID=no
            """)
        let clock = ContinuousClock()
        let began = clock.now
        try await connection.execute("START SLAVE")
        while true {
            let status = try await connection.query("SHOW SLAVE STATUS")
            guard let row = status.rows.first else { throw BenchFailure(message: "SHOW SLAVE STATUS is empty") }
            func column(_ name: String) -> String? { status.columnIndex(name).flatMap { row.string($0) } }
            if let file = column("Relay_Master_Log_File"), let pos = column("Exec_Master_Log_Pos").flatMap({ UInt64($0) }),
                file == end.file, pos >= end.position
            {
                break
            }
            if let error = column("Last_Error"), !error.isEmpty { throw BenchFailure(message: "replica: \(error)") }
            if clock.now - began > .seconds(900) { throw BenchFailure(message: "replica did not catch up in 900 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let seconds = Double(nanos(clock.now - began)) / 1e9
        try await connection.execute("STOP SLAVE")
        try await connection.execute("RESET SLAVE ALL")
        return seconds
    }
}
