import Domain
import Foundation
import MySQLClient
import Replication

extension ApplyBench {
    /// Replication lag while a live workload writes upstream at a fixed rate.
    ///
    /// For each applier in turn (the downstream schema re-created first), the applier tails the
    /// upstream binlog from its current end; then `sysbench oltp_insert --rate=R --time=T` writes
    /// upstream while this process inserts a heartbeat row (`sbtest.heartbeat`, ids 1, 2, ...) every
    /// 50 ms on its own connection and notes when each INSERT returned (the upstream commit). A second
    /// connection polls `SELECT MAX(id)` downstream every 2 ms and notes when each id first shows.
    /// Lag = shown - committed, per heartbeat, on one clock (same machine). It includes up to one poll
    /// interval plus the poll's round trip (a few ms). Heartbeats are rows like any other, so they wait
    /// behind the workload's rows as any change would. For the native replica the largest
    /// `Seconds_Behind_Master` seen (sampled every 250 ms) is printed as well.
    static func lag(
        up: MySQLConnectOptions, down: MySQLConnectOptions, upstreamPort: Int, downstreamPort: Int, scratch: String,
        seconds: Int, rate: Int, tables: Int, workers: Int, batch: Int, reset: () async throws -> Void
    ) async throws {
        let beats = seconds * 20
        let sysbench = [
            "oltp_insert", "--db-driver=mysql", "--mysql-host=127.0.0.1", "--mysql-port=\(upstreamPort)",
            "--mysql-user=\(BenchMariaDB.user)", "--mysql-password=\(BenchMariaDB.password)", "--mysql-db=sbtest",
            "--tables=\(tables)", "--threads=4", "--events=0", "--time=\(seconds)", "--rate=\(rate)", "--table-size=1000000", "run",
        ]
        print("== Lag: upstream commit -> row visible downstream, while sysbench writes upstream at a fixed rate ==")
        print("command: sysbench \(sysbench.joined(separator: " ")); a heartbeat INSERT every 50 ms (\(beats) per run); downstream polled every 2 ms")
        print("load average before: \(SyncHarness.loadAverage)")
        var heartbeatID = 0
        for applier in ["braid (worker-count \(workers), batch \(batch))", "replica (slave_parallel_threads=0)"] {
            try await reset()
            let start = try await SyncHarness.masterStatus(up)
            let isBraid = applier.hasPrefix("braid")
            var sync: Task<Void, any Error>?
            var replica: MySQLConnection?
            if isBraid {
                let instance = SyncHarness.Instance(sourceID: "replica-01", port: upstreamPort, start: start, serverID: 4344)
                let yaml = SyncHarness.taskYAML(
                    name: "lag", downstreamPort: downstreamPort, doDBs: ["sbtest"], instances: [instance],
                    workerCount: workers, batch: batch, shardMode: nil, routes: false)
                let task = try TaskConfig.load(yaml: yaml).config
                sync = Task {
                    let syncer = try SyncHarness.syncer(
                        task: task, instance: instance,
                        coordinator: BenchCoordinator(member: "replica-01", hub: BenchLockHub(), sources: 1, tables: tables),
                        mode: .tail)
                    try await syncer.run()
                }
            } else {
                let connection = try await MySQLConnection.connect(down)
                let change =
                    "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=\(upstreamPort), MASTER_USER='\(BenchMariaDB.user)', "
                    + "MASTER_PASSWORD='\(BenchMariaDB.password)', MASTER_LOG_FILE='\(start.file)', "
                    + "MASTER_LOG_POS=\(start.position), MASTER_USE_GTID=no"
                for statement in ["STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL slave_parallel_threads=0", change, "START SLAVE"] {
                    try await connection.execute(statement)
                }
                replica = connection
            }
            let writer = try await MySQLConnection.connect(up)
            let poller = try await MySQLConnection.connect(down)
            @Sendable func visibleMax() async throws -> Int {
                Int(try await poller.query("SELECT COALESCE(MAX(id), 0) FROM sbtest.heartbeat").rows.first?.string(0) ?? "0") ?? 0
            }
            // The applier is ready once a first heartbeat made it through.
            heartbeatID += 1
            let first = heartbeatID
            try await writer.execute("INSERT INTO sbtest.heartbeat VALUES (\(first), 'ready')")
            let clock = ContinuousClock()
            let readyBy = clock.now + .seconds(120)
            while try await visibleMax() < first {
                if clock.now > readyBy { throw BenchFailure(message: "\(applier): the first heartbeat did not arrive in 120 s") }
                try await Task.sleep(for: .milliseconds(2))
            }

            // The workload, in its own process, for `seconds` from now.
            let log = "\(scratch)/lag-sysbench-\(isBraid ? "braid" : "replica").log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            let workload = Process()
            workload.executableURL = URL(fileURLWithPath: "/usr/bin/sysbench")
            workload.arguments = sysbench
            workload.standardOutput = output
            workload.standardError = output
            try workload.run()

            let base = heartbeatID
            heartbeatID += beats
            let began = clock.now
            async let committed: [ContinuousClock.Instant] = {
                var acks: [ContinuousClock.Instant] = []
                for n in 1...beats {
                    try await Task.sleep(until: began + .milliseconds(50 * n), clock: clock)
                    try await writer.execute("INSERT INTO sbtest.heartbeat VALUES (\(base + n), 'beat')")
                    acks.append(clock.now)
                }
                return acks
            }()
            let sampled = replica
            async let observed: (shown: [ContinuousClock.Instant?], sbm: Int?) = {
                var shown = [ContinuousClock.Instant?](repeating: nil, count: beats)
                var seen = base
                var sbm: Int?
                var lastSample = clock.now
                let deadline = began + .seconds(seconds + 180)
                while seen < base + beats, clock.now < deadline {
                    let top = try await visibleMax()
                    if top > seen {
                        let now = clock.now
                        for id in (seen + 1)...top where id > base { shown[id - base - 1] = now }
                        seen = top
                    }
                    if let sampled, clock.now - lastSample >= .milliseconds(250) {
                        lastSample = clock.now
                        let status = try await sampled.query("SHOW SLAVE STATUS")
                        if let row = status.rows.first,
                            let value = status.columnIndex("Seconds_Behind_Master").flatMap({ row.string($0) }).flatMap({ Int($0) })
                        {
                            sbm = max(sbm ?? 0, value)
                        }
                    }
                    try await Task.sleep(for: .milliseconds(2))
                }
                return (shown, sbm)
            }()
            let acks = try await committed
            let (shown, sbm) = try await observed
            while workload.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            try? output.close()
            let tps = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .first { $0.contains("transactions:") }?.trimmingCharacters(in: .whitespaces) ?? "?"

            if let sync {
                sync.cancel()
                do { try await sync.value } catch { print("  braid stopped with: \(error)") }
            }
            if let replica {
                try await replica.execute("STOP SLAVE")
                try await replica.execute("RESET SLAVE ALL")
                await replica.close()
            }
            await writer.close()
            await poller.close()

            var lags: [Double] = []
            var missing = 0
            for (n, ack) in acks.enumerated() {
                guard let at = shown[n] else {
                    missing += 1
                    continue
                }
                lags.append(max(0, Double(Int64(nanos(max(at, ack) - ack))) / 1e6))
            }
            lags.sort()
            func percentile(_ p: Double) -> Double {
                lags.isEmpty ? .nan : lags[max(0, min(lags.count - 1, Int((p * Double(lags.count)).rounded(.up)) - 1))]
            }
            let never = missing > 0 ? " (\(missing) never shown)" : ""
            let seen = sbm.map { "; largest Seconds_Behind_Master \($0)" } ?? ""
            print(String(
                format: "%@: lag p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d heartbeats%@ (sysbench %@)%@",
                applier, percentile(0.5), percentile(0.99), lags.last ?? .nan, lags.count, never, tps, seen))
        }
        print("load average at the end: \(SyncHarness.loadAverage)")
    }
}
