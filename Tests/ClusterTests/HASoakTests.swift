import BraidTestSupport
import Etcd
import Foundation
import HA
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10's soak (not in CI): a pessimistic shard merge with DML flowing for `BRAID_SOAK_MINUTES`
/// (default 30) while the HA leader is SIGKILLed every minute and a DDL round runs every fifth
/// minute. The masters run their snapshot, truncation and compaction cycle every 20 s. etcd's size
/// must stay bounded while Braid's log keeps growing, and the merge must end exact.
///
/// Run: `BRAID_SOAK=1 swift test --filter HASoakTests` (prints one line per minute).
extension ClusterSuites {
@Suite struct HASoakTests {
    static let enabled = ProcessInfo.processInfo.environment["BRAID_SOAK"] == "1"

    final class Counter: Sendable { let value = Atomic<Int>(0) }

    static func ms(_ d: Duration) -> Int64 { d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000 }

    struct Sample {
        var minute: Int
        var lastSequence: UInt64
        var firstChunk: UInt64
        var chunks: Int64
        var dbSize: Int64
        var dbSizeInUse: Int64
        var failover: Duration
    }

    @Test(.enabled(if: enabled, "a soak: set BRAID_SOAK=1 (and BRAID_SOAK_MINUTES, default 30)"))
    func mergeWithAFailoverEveryMinuteKeepsEtcdBounded() async throws {
        let minutes = max(3, Int(ProcessInfo.processInfo.environment["BRAID_SOAK_MINUTES"] ?? "") ?? 30)
        let seed = UInt64(ProcessInfo.processInfo.environment["BRAID_SEED"] ?? "") ?? UInt64.random(in: 1...999_999)
        let context = "seed \(seed) (rerun with BRAID_SEED=\(seed)), \(minutes) min"
        let tables = ShardMergeTests.allTables
        try await withEtcdCluster { etcd in
            try await ShardMergeFixture.with(label: "ha-soak", etcd: etcd, haMaintenance: "20s") { f in
                try await f.createTables(tables)
                let started = try await f.ctl(["start-task", try f.writeTask("test", shardMode: "pessimistic"), "--remove-meta"])
                #expect(started.status == 0, "\(started.text)")
                #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") }, "\(context)")

                // DML flows the whole time, from its own seeded sequence.
                let written = Counter()
                let writer = Task {
                    var random = SeededRandom(seed: seed)
                    var id = 1
                    while !Task.isCancelled {
                        let (source, table) = tables[Int(random.next() % UInt64(tables.count))]
                        do {
                            try await f.exec(source, "INSERT INTO \(table) (id, v) VALUES (\(id), 'r\(id)')")
                            id += 1
                            written.value.add(1, ordering: .relaxed)
                        } catch {
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
                let client = try EtcdClient(endpoints: etcd.endpoints)
                let keys = EtcdKeys(cluster: "braid")
                var samples: [Sample] = []
                let start = ContinuousClock.now
                print("soak: minute, log last sequence, etcd first chunk, chunks, db size, db size in use, failover ms, rows written")
                for minute in 1...minutes {
                    // Every fifth minute the kill lands while a DDL lock waits for its last shard.
                    let ddl = minute % 5 == 0
                    if ddl {
                        for (source, table) in tables.dropLast() {
                            try await f.exec(source, "ALTER TABLE \(table) ADD COLUMN c\(minute) INT DEFAULT \(minute)")
                        }
                    }
                    try await Task.sleep(until: start + .seconds(60 * minute))
                    let old = try #require(try await f.haLeader(), "no leader at minute \(minute), \(context)")
                    let killedAt = ContinuousClock.now
                    f.cluster.kill(old, signal: SIGKILL)
                    var leader: String?
                    #expect(try await eventually(timeout: .seconds(30), poll: .milliseconds(50)) {
                        leader = try await f.haLeader()
                        return leader != nil && leader != old
                    }, "no new leader after killing \(old) at minute \(minute), \(context)")
                    let failover = ContinuousClock.now - killedAt
                    try f.startHAMaster(Int(old.dropFirst())!)
                    if ddl, let (source, table) = tables.last {
                        try await f.exec(source, "ALTER TABLE \(table) ADD COLUMN c\(minute) INT DEFAULT \(minute)")
                    }

                    let sample = try await Self.sample(minute: minute, client: client, keys: keys, etcd: etcd, f: f, failover: failover)
                    samples.append(sample)
                    print("soak: \(minute), \(sample.lastSequence), \(sample.firstChunk), \(sample.chunks), \(sample.dbSize), \(sample.dbSizeInUse), \(Self.ms(failover)), \(written.value.load(ordering: .relaxed))")
                }
                writer.cancel()
                await writer.value

                #expect(try await eventually(timeout: .seconds(180)) { try await f.consistent(tables) }, "downstream differs, \(context)")
                #expect(try await eventually(timeout: .seconds(60)) {
                    (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [[String: Any]] ?? []).isEmpty
                }, "a lock is left, \(context)")
                #expect(try await f.subtaskError("test") == nil, "\(context)")
                var digests: [String] = []
                #expect(try await eventually(timeout: .seconds(30)) {
                    digests = try await f.cluster.mirrorDigests(dataDirs: (1...3).map { f.cluster.root + "/m\($0)" }) ?? []
                    return digests.count == 3 && digests.allSatisfy { $0 == digests[0] }
                }, "mirrors differ: \(digests), \(context)")

                // Bounded: the log grew all along, but etcd kept only a recent tail of it, and the space
                // etcd uses in the last third is no more than in the middle third, plus slack.
                let third = max(1, samples.count / 3)
                let middle = samples[third..<(2 * third)].map(\.dbSizeInUse).max() ?? 0
                let last = samples[(samples.count - third)...].map(\.dbSizeInUse).max() ?? 0
                let end = try #require(samples.last)
                let half = samples[samples.count / 2 - 1].lastSequence
                #expect(end.lastSequence > half, "the log did not grow, \(context)")
                #expect(end.firstChunk > half, "etcd still holds chunks from the first half of the run (first chunk \(end.firstChunk), half-way \(half)), \(context)")
                #expect(last <= middle + middle / 2 + (1 << 20), "etcd's space in use grew: middle third \(middle) B, last third \(last) B, \(context)")
                let failovers = samples.map(\.failover).sorted()
                print("soak: failover p50 \(Self.ms(failovers[failovers.count / 2])) ms, max \(Self.ms(failovers.last!)) ms; etcd in use middle \(middle) B, last \(last) B")
            }
        }
    }

    /// The log's end (the leader's mirror), etcd's first chunk and chunk count, and the largest
    /// db size any etcd member reports.
    static func sample(
        minute: Int, client: EtcdClient, keys: EtcdKeys, etcd: EtcdCluster, f: ShardMergeFixture, failover: Duration
    ) async throws -> Sample {
        let members = try await f.ctl(["list-member", "--master"]).json["members"] as? [[String: Any]] ?? []
        var last: UInt64 = 0
        for m in members {
            for entry in (m["master"] as? [String: Any])?["masters"] as? [[String: Any]] ?? [] {
                last = max(last, UInt64((entry["mirrored_sequence"] as? NSNumber)?.int64Value ?? 0))
            }
        }
        let chunkEnd = EtcdKeys.end(of: keys.chunkPrefix)
        let first = try await client.range(keys.chunkPrefix, end: chunkEnd, limit: 1).items.first?.keyString ?? ""
        let count = try await client.range(keys.chunkPrefix, end: chunkEnd, countOnly: true).count?.value ?? 0
        var size: Int64 = 0, inUse: Int64 = 0
        for endpoint in etcd.endpoints {
            let status: EtcdStatus
            do { status = try await client.status(endpoint: endpoint) } catch {
                print("soak: etcd \(endpoint) status: \(error)")
                continue
            }
            size = max(size, status.dbSize?.value ?? 0)
            inUse = max(inUse, status.dbSizeInUse?.value ?? 0)
        }
        return Sample(
            minute: minute, lastSequence: last, firstChunk: UInt64(first.suffix(16), radix: 16) ?? 0, chunks: count,
            dbSize: size, dbSizeInUse: inUse, failover: failover)
    }
}
}
