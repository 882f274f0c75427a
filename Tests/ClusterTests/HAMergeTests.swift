import BraidTestSupport
import Etcd
import Foundation
import HA
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10's failover acceptance with the real data plane: a shard merge with DML and a shard-DDL
/// lock in flight while the HA leader is SIGKILLed at seeded random moments, in both shard modes.
/// After every kill a new leader takes over within TTL + 1.5 s; at the end the lock has finished, the
/// downstream equals the merged upstream row by row, and every master's mirror is identical.
extension ClusterSuites {
@Suite struct HAMergeTests {
    static let tables = ShardMergeTests.allTables

    @Test(arguments: ["pessimistic", "optimistic"])
    func leaderKilledAtSeededMomentsDuringAMerge(mode: String) async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["BRAID_SEED"] ?? "") ?? UInt64.random(in: 1...999_999)
        let kills = Int(ProcessInfo.processInfo.environment["BRAID_HA_KILLS"] ?? "") ?? 5
        var random = SeededRandom(seed: seed)
        let context = "seed \(seed) (rerun with BRAID_SEED=\(seed)), mode \(mode)"
        try await withEtcdCluster { etcd in
            try await ShardMergeFixture.with(label: "ha-merge-\(mode)", etcd: etcd) { f in
                try await f.createTables(Self.tables)
                let started = try await f.ctl(["start-task", try f.writeTask("test", shardMode: mode), "--remove-meta"])
                #expect(started.status == 0, "\(started.text)")
                #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing("test") }, "\(context)")

                var id = 1
                func writeRows(_ count: Int) async throws {
                    for _ in 0..<count {
                        let (source, table) = Self.tables[Int(random.next() % UInt64(Self.tables.count))]
                        try await f.exec(source, "INSERT INTO \(table) (id, v) VALUES (\(id), 'r\(id)')")
                        id += 1
                    }
                }
                // The DDL reaches the shards one at a time across the kills, so a lock is in flight.
                let ddls = Self.tables.map { "ALTER TABLE \($0.table) ADD COLUMN c INT DEFAULT 7" }
                // The last shard's DDL waits until after the kills, so the lock stays unresolved through them.
                let heldBack = ddls.count - 1
                for kill in 0..<kills {
                    try await writeRows(5)
                    if kill < heldBack { try await f.exec(Self.tables[kill].source, ddls[kill]) }
                    let old = try #require(try await f.haLeader(), "no leader before kill \(kill), \(context)")
                    try await Task.sleep(for: .milliseconds(Int64(random.next() % 1_500)))  // the seeded moment
                    let killedAt = ContinuousClock.now
                    f.cluster.kill(old, signal: SIGKILL)
                    try await writeRows(3)
                    var leader: String?
                    #expect(try await eventually(timeout: .seconds(10), poll: .milliseconds(50)) {
                        leader = try await f.haLeader()
                        return leader != nil && leader != old
                    }, "no new leader after killing \(old) (kill \(kill)), \(context)")
                    let took = ContinuousClock.now - killedAt
                    #expect(took < .milliseconds(2_000 + 1_500 + 1_000), "kill \(kill): a new leader after \(took) (TTL 2 s + 1.5 s, +1 s of polling), \(context)")
                    try f.startHAMaster(Int(old.dropFirst())!)
                }
                for index in min(kills, heldBack)..<ddls.count { try await f.exec(Self.tables[index].source, ddls[index]) }
                try await writeRows(5)

                #expect(try await eventually(timeout: .seconds(90)) { try await f.consistent(Self.tables) }, "downstream differs, \(context)")
                #expect(try await eventually(timeout: .seconds(30)) {
                    (try await f.ctl(["shard-ddl-lock", "test"]).json["locks"] as? [[String: Any]] ?? []).isEmpty
                }, "a lock is left, \(context)")
                #expect(try await f.subtaskError("test") == nil, "\(context)")
                // The last leader's query-status knows both subtasks: workers re-send their status to a new leader.
                var stages: [String: String] = [:]
                #expect(try await eventually(timeout: .seconds(15)) {
                    stages = try await f.masterStages("test")
                    return stages.count == 2 && stages.values.allSatisfy { $0 == "Running" }
                }, "query-status after failover: \(stages), \(context)")

                // Every mirror identical (same range and record digest), each one verifies, terms never decrease.
                // The masters snapshot into etcd and truncate every 2 s, so a restarted master may have
                // installed the snapshot: mirrors are compared over the range they all hold.
                var digests: [String] = []
                #expect(try await eventually(timeout: .seconds(20)) {
                    digests = try await f.cluster.mirrorDigests(dataDirs: (1...3).map { f.cluster.root + "/m\($0)" }) ?? []
                    return digests.count == 3 && digests.allSatisfy { $0 == digests[0] }
                }, "mirrors differ: \(digests), \(context)")
                var terms: Set<Int> = []
                for i in 1...3 {
                    let out = try await f.cluster.run(["log", "export", "--jsonl", "--data-dir", f.cluster.root + "/m\(i)"])
                    let lines = out.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
                    let records = lines.compactMap { line -> (term: Int, elected: Bool)? in
                        guard let term = ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["term"] as? Int else { return nil }
                        return (term, line.contains("\"leader.elected\""))
                    }
                    #expect(zip(records, records.dropFirst()).allSatisfy { $0.term <= $1.term }, "terms decrease in m\(i), \(context)")
                    // Every term the mirror sees begin starts with its leader's `leader.elected`.
                    for (previous, record) in zip(records, records.dropFirst()) where record.term > previous.term {
                        #expect(record.elected, "term \(record.term) in m\(i) does not start with leader.elected, \(context)")
                    }
                    terms.formUnion(records.map(\.term))
                }
                #expect(terms.count >= 2, "the mirrors hold records of \(terms.count) terms after \(kills) kills, \(context)")
                // etcd holds a bounded log: the leader published a snapshot and deleted the chunks behind it.
                let client = try EtcdClient(endpoints: etcd.endpoints)
                let keys = EtcdKeys(cluster: "braid")
                var firstChunk = ""
                #expect(try await eventually(timeout: .seconds(20)) {
                    let manifest = try await client.range(keys.snapshotManifest, countOnly: true).count?.value ?? 0
                    firstChunk = try await client.range(keys.chunkPrefix, end: EtcdKeys.end(of: keys.chunkPrefix), limit: 1).items.first?.keyString ?? ""
                    return manifest == 1 && !firstChunk.isEmpty && !firstChunk.hasSuffix("0000000000000001")
                }, "no truncation behind a snapshot in etcd (first chunk \(firstChunk)), \(context)")
            }
        }
    }
}
}
