import BraidTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 4 item 4: with safe mode off, 100k rows and a shard DDL per table in both modes, while workers
/// are SIGKILLed at random moments 20 times. The downstream must equal the merged upstream: no row
/// missing, none doubled.
extension ClusterSuites {
@Suite struct ExactlyOnceTests {
    static let tables: [(source: Int, table: String)] = [
        (0, "shardddl1.tb1"), (0, "shardddl1.tb2"), (1, "shardddl1.tb1"), (1, "shardddl1.tb2"),
    ]

    @Test(arguments: ["pessimistic", "optimistic"])
    func downstreamEqualsUpstreamAfterTwentyWorkerKills(mode: String) async throws {
        var rng = SeededRandom.fromEnvironment()
        let seed = rng.seed
        try await ShardMergeFixture.with(label: "exactly-once-\(mode)") { f in
            try await f.createTables(Self.tables, definition: "(id INT PRIMARY KEY, v VARCHAR(40), n INT)")
            let task = try f.writeTask("test", shardMode: mode, workerCount: 4, batch: 100, safeMode: false)
            let started = try await f.ctl(["start-task", task, "--remove-meta"])
            #expect(started.status == 0, "\(started.text)")
            #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") }, "seed \(seed)")

            // 50 rounds × 4 tables × 500 rows = 100k rows, with updates and deletes, and one shard DDL per
            // table halfway through. Kills run concurrently.
            let killSchedule = (0..<20).map { _ in (delay: Int.random(in: 150...1200, using: &rng), worker: Int.random(in: 0...1, using: &rng)) }
            async let kills: Void = Self.kill(f, schedule: killSchedule)
            for round in 0..<50 {
                for (index, (source, table)) in Self.tables.enumerated() {
                    let base = index * 1_000_000 + round * 500
                    let values = (1...500).map { i in "(\(base + i), 'r\(round)', \(i))" }.joined(separator: ",")
                    try await f.exec(source, "INSERT INTO \(table) (id, v, n) VALUES \(values)")
                    try await f.exec(source, "UPDATE \(table) SET n = n + 1000 WHERE id BETWEEN \(base + 1) AND \(base + 50)")
                    try await f.exec(source, "DELETE FROM \(table) WHERE id BETWEEN \(base + 51) AND \(base + 60)")
                }
                if round == 25 {
                    for (source, table) in Self.tables {
                        try await f.exec(source, "ALTER TABLE \(table) ADD COLUMN c INT DEFAULT 7")
                    }
                }
            }
            try await kills
            let consistent = try await eventually(timeout: .seconds(240), poll: .milliseconds(500)) {
                try await f.consistent(Self.tables, columns: "id, v, n, c")
            }
            if !consistent {
                let up = try await f.mergedUpstream(Self.tables, columns: "id, v, n, c")
                let down = try await f.downstreamRows(columns: "id, v, n, c")
                let missing = Set(up).subtracting(down).sorted().prefix(5)
                let extra = Set(down).subtracting(up).sorted().prefix(5)
                let lastError = (try? await f.subtaskError("test")) ?? nil
                Issue.record(
                    "seed \(seed): upstream \(up.count) rows, downstream \(down.count); missing \(Array(missing)) extra \(Array(extra)); error \(String(describing: lastError))")
            }
            let count = try await f.downstreamQuery("SELECT COUNT(*) FROM shardddl.tb").first?.first ?? nil
            #expect(count == "\(4 * 50 * 490)", "seed \(seed)")
        }
    }

    /// SIGKILLs a worker after each delay and restarts it under the same name and address.
    static func kill(_ f: ShardMergeFixture, schedule: [(delay: Int, worker: Int)]) async throws {
        for (delay, worker) in schedule {
            try await Task.sleep(for: .milliseconds(delay))
            let name = ["worker1", "worker2"][worker]
            f.cluster.kill(name, signal: SIGKILL)
            try f.startWorker(name)
        }
    }
}
}
