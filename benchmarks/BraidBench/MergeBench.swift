import Domain
import Foundation
import MySQLClient
import Replication

/// Shard merge, 2 sources x 4 tables -> 1: each source `s` has `shard<s>`.`tb1..tb4`; four
/// connections per source (one per table) insert single-row autocommit rows (sysbench-like values),
/// run `ALTER TABLE tbN ADD COLUMN c2 ...` mid-run, then insert rows that set `c2`. The same two
/// binlogs are applied twice into a fresh downstream, routed to `merged`.`tb`: once with
/// `shard-mode: pessimistic` and once with `shard-mode: optimistic`, by two in-process `Syncer`s (one
/// per source, as two workers' subtasks would run) whose shard DDLs are answered by `BenchLockHub`
/// (no master). Reports rows applied per second end to end and the DDL stall.
///
/// Environment: BENCH_MERGE_ROWS (rows per table per phase, 10000), BENCH_WORKERS (16), BENCH_BATCH (100).
enum MergeBench {
    static func run(scratch: String) async throws {
        let perPhase = ApplyBench.env("BENCH_MERGE_ROWS", 10_000)
        let workers = ApplyBench.env("BENCH_WORKERS", 16)
        let batch = ApplyBench.env("BENCH_BATCH", 100)
        let tables = 4
        print("== Shard merge: 2 sources x 4 tables -> merged.tb, ADD COLUMN mid-run, MariaDB 10.11, TCP loopback, innodb_flush_log_at_trx_commit=2 ==")
        let sources = [try BenchMariaDB.start(scratch: scratch, serverID: 11), try BenchMariaDB.start(scratch: scratch, serverID: 12)]
        defer { for s in sources { s.stop() } }
        let downstream = try BenchMariaDB.start(scratch: scratch, serverID: 13, binlog: false)
        defer { downstream.stop() }
        let down = SyncHarness.options(port: downstream.port)

        var instances: [SyncHarness.Instance] = []
        for (index, server) in sources.enumerated() {
            let options = SyncHarness.options(port: server.port)
            var statements = ["CREATE DATABASE shard\(index + 1)"]
            for t in 1...tables {
                statements.append(
                    """
                    CREATE TABLE shard\(index + 1).tb\(t) (id BIGINT NOT NULL PRIMARY KEY, k INT UNSIGNED NOT NULL DEFAULT 0,
                      c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', KEY k_1 (k)) ENGINE=InnoDB
                    """)
            }
            try await SyncHarness.execute(options, statements)
            instances.append(
                SyncHarness.Instance(
                    sourceID: "replica-0\(index + 1)", port: server.port, start: try await SyncHarness.masterStatus(options),
                    serverID: UInt32(5000 + index)))
        }
        let clock = ContinuousClock()
        let modes = ["pessimistic", "optimistic"]
        func task(_ mode: String) throws -> TaskConfig {
            try TaskConfig.load(
                yaml: SyncHarness.taskYAML(
                    name: "merge_\(mode)", downstreamPort: downstream.port, doDBs: ["shard1", "shard2"], instances: instances,
                    workerCount: workers, batch: batch, shardMode: mode, routes: true, targetSchema: "merged_\(mode)")
            ).config
        }
        // Each task first starts before the workload, as a task created before the traffic would: it
        // tracks the tables' schemas as of the start position (a start from an older position would
        // need the schema at that position, which SHOW CREATE TABLE no longer gives after the ALTER).
        for mode in modes {
            _ = try await self.runSubtasks(task(mode), instances: instances, tables: tables, hub: BenchLockHub(), clock: clock)
        }
        let began = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, port) in sources.map(\.port).enumerated() {
                for t in 1...tables {
                    group.addTask {
                        try await self.generate(
                            SyncHarness.options(port: port), schema: "shard\(index + 1)", table: t,
                            idBase: Int64(index + 1) * 1_000_000_000 + Int64(t) * 100_000_000, perPhase: perPhase)
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = perPhase * 2 * tables * sources.count
        print("generated \(total) rows (\(perPhase) per table before and after its ADD COLUMN, single-row autocommit) in \(clock.now - began)")

        for mode in modes {
            let hub = BenchLockHub()
            let runBegan = clock.now
            let (finished, retries) = try await self.runSubtasks(task(mode), instances: instances, tables: tables, hub: hub, clock: clock)
            let wall = Double(nanos(clock.now - runBegan)) / 1e9
            let applied = Int(try await SyncHarness.scalar(down, "SELECT COUNT(*) FROM merged_\(mode).tb") ?? "0") ?? 0
            let withC2 = Int(try await SyncHarness.scalar(down, "SELECT COUNT(*) FROM merged_\(mode).tb WHERE c2 <> 0") ?? "0") ?? 0
            print("-- shard-mode \(mode), worker-count \(workers), batch \(batch) per subtask --")
            for line in retries { print("  retried after: \(line.prefix(300))") }
            if applied != total || withC2 != total / 2 {
                print("WARNING: downstream has \(applied) rows (\(withC2) with c2), expected \(total) (\(total / 2))")
            }
            for (source, duration) in finished.sorted(by: { $0.0 < $1.0 }) {
                let seconds = Double(nanos(duration)) / 1e9
                print(String(format: "  %@: %d rows in %.3f s -> %.0f rows/s", source, total / 2, seconds, Double(total / 2) / seconds))
            }
            print(String(format: "  end to end: %d rows in %.3f s -> %.0f events/s (rows applied/s) over 2 subtasks, %.0f per subtask",
                         applied, wall, Double(applied) / wall, Double(applied) / wall / 2))
            for key in await hub.order {
                guard let lock = await hub.locks[key] else { continue }
                func ms(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant?) -> String {
                    to.map { String(format: "%.1f ms", Double(nanos($0 - from)) / 1e6) } ?? "-"
                }
                print("  lock \(key): \(lock.arrivals.count) arrivals; first arrival -> last arrival \(ms(lock.firstArrival, lock.lastArrival)); "
                    + "first arrival -> DDL executed downstream \(ms(lock.firstArrival, lock.executed)); "
                    + "last arrival -> last release (stall after the last shard's DDL) \(lock.lastArrival.map { ms($0, lock.released) } ?? "-")")
            }
        }
        print("reference: DM 5.3 published 29.1k events/s per worker (sysbench, TiDB downstream; not run here)")
        print("load average at the end: \(SyncHarness.loadAverage)")
    }

    /// Both subtasks to the end of their binlogs; when each finished (since `clock.now` at the call),
    /// and the transient errors they restarted after.
    static func runSubtasks(
        _ task: TaskConfig, instances: [SyncHarness.Instance], tables: Int, hub: BenchLockHub, clock: ContinuousClock
    ) async throws -> ([(String, Duration)], [String]) {
        let runBegan = clock.now
        let retries = RetryCounter()
        let finished = try await withThrowingTaskGroup(of: (String, Duration).self) { group in
            for instance in instances {
                let coordinator = BenchCoordinator(
                    member: instance.sourceID, hub: hub, sources: instances.count, tables: instances.count * tables)
                group.addTask {
                    // As the worker's runner does: a transient downstream error (e.g. InnoDB's deadlock
                    // when two subtasks of one task create their checkpoint rows at once) restarts the
                    // engine from its checkpoint, which is safe because apply is exactly once.
                    var attempt = 0
                    while true {
                        do {
                            let syncer = try SyncHarness.syncer(task: task, instance: instance, coordinator: coordinator)
                            try await syncer.run()
                            return (instance.sourceID, clock.now - runBegan)
                        } catch let error as ReplicationError where error.code == .downstream && error.statement == nil && attempt < 5 {
                            attempt += 1
                            retries.add("\(instance.sourceID): \(error)")
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
            var out: [(String, Duration)] = []
            for try await result in group { out.append(result) }
            return out
        }
        return (finished, retries.lines)
    }

    /// One table's rows: `perPhase` autocommit INSERTs, the ADD COLUMN, `perPhase` more with `c2`.
    static func generate(_ options: MySQLConnectOptions, schema: String, table: Int, idBase: Int64, perPhase: Int) async throws {
        let connection = try await MySQLConnection.connect(options)
        var random = SplitMix(seed: UInt64(idBase))
        func values(_ n: Int) -> String {
            func groups(_ count: Int) -> String {
                (0..<count).map { _ in String((0..<11).map { _ in Character(String(random.next() % 10)) }) }.joined(separator: "-")
            }
            return "\(idBase + Int64(n)), \(random.next() % 100_000), '\(groups(10))', '\(groups(5))'"
        }
        let name = "\(schema).tb\(table)"
        var statements = (0..<perPhase).map { "INSERT INTO \(name) (id, k, c, pad) VALUES (\(values($0)))" }
        statements.append("ALTER TABLE \(name) ADD COLUMN c2 INT NOT NULL DEFAULT 0")
        statements += (perPhase..<2 * perPhase).map { "INSERT INTO \(name) (id, k, c, pad, c2) VALUES (\(values($0)), \($0))" }
        for chunk in stride(from: 0, to: statements.count, by: 100) {
            let slice = Array(statements[chunk..<min(chunk + 100, statements.count)])
            try await connection.withSession { (session) throws(MySQLError) in
                for sql in slice { try session.execute(sql) }
            }
        }
        await connection.close()
    }
}

final class RetryCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    func add(_ line: String) { self.lock.withLock { self.recorded.append(line) } }
    var lines: [String] { self.lock.withLock { self.recorded } }
}
