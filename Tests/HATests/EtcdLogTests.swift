import BraidTestSupport
import Etcd
import EventLog
import Foundation
import HA
import Testing

/// Every suite that starts etcd runs inside this one, one test at a time: three etcd members and
/// 2 s leases starve when several clusters share two cores with the rest of the test run.
@Suite(.serialized) enum HASuites {}

/// The fenced, etcd-replicated log against a real 3-member etcd on loopback.
extension HASuites {
@Suite(.serialized) struct EtcdLogTests {
    @Test func aDeposedLeaderCannotAppendAndFollowersMirrorEveryRecord() async throws {
        try await withEtcdCluster { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "fence")
            let b = try TestMember("b", etcd: etcd, cluster: "fence")
            let termA = try await a.lead()
            for round in 0..<20 {
                let range = try await a.log.append(entries(1 + round % 5, seed: round), term: termA)
                #expect(range.upperBound == a.mirror.lastSequence + 1)
            }
            let written = a.mirror.lastSequence

            // b follows into its mirror, then campaigns; a resigns and b takes over.
            let follow = Task { await b.log.follow() }
            #expect(try await eventually(timeout: .seconds(10)) { b.mirror.lastSequence == written })
            follow.cancel()
            await follow.value
            let campaign = Task { try await b.lead() }
            // a still holds its fence locally: only etcd's compare can refuse it once b leads.
            let fenceKey = a.elector.electionKey!
            _ = fenceKey
            await a.elector.resign()
            let termB = try await campaign.value
            #expect(termB > termA)
            await #expect(throws: EventLogError.self) {
                _ = try await a.log.append(entries(3, seed: 99), term: termA)
            }
            #expect(a.mirror.lastSequence == written, "the refused append left the deposed mirror unchanged")

            let more = try await b.log.append(entries(4, seed: 100), term: termB)
            #expect(more.lowerBound == written + 1)
            // a now follows b: every mirror holds the same records, terms never decrease.
            let followA = Task { await a.log.follow() }
            #expect(try await eventually(timeout: .seconds(10)) { a.mirror.lastSequence == b.mirror.lastSequence })
            followA.cancel()
            await followA.value
            let recordsA = try a.records(), recordsB = try b.records()
            #expect(recordsA == recordsB)
            #expect(recordsA.count == Int(written) + 4)
            #expect(zip(recordsA, recordsA.dropFirst()).allSatisfy { $0.term <= $1.term })
        }
    }

    @Test func aMirrorOfAnotherEtcdClusterIsRefused() async throws {
        try await withEtcdCluster(size: 1) { first in
            let member = try TestMember("m", etcd: first, cluster: "pin")
            let term = try await member.lead()
            _ = try await member.log.append(entries(3, seed: 1), term: term)
            try await withEtcdCluster(size: 1) { second in
                let client = try EtcdClient(endpoints: second.endpoints)
                let log = EtcdLog(
                    mirror: member.mirror, mirrorDirectory: member.directory, client: client, keys: EtcdKeys(cluster: "pin"),
                    logger: .init(label: "t"), onFenceLost: { _ in })
                await #expect {
                    try await log.catchUp()
                } throws: { error in
                    guard let error = error as? EventLogError else { return false }
                    return error.code == .diverged && error.message.contains("cluster")
                }
            }
        }
    }

    /// etcd gone for a moment (every member refuses connections): that batch fails as unavailable,
    /// the leader keeps its term, and the next append lands right after the last durable record.
    @Test func aTransientEtcdOutageFailsOneAppendAndTheNextOneLands() async throws {
        try await withEtcdCluster { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "transient", ttl: .seconds(15))
            let term = try await a.lead()
            _ = try await a.log.append(entries(2, seed: 1), term: term)
            let before = a.mirror.lastSequence
            for member in ["e1", "e2", "e3"] { etcd.kill(member) }
            await #expect {
                _ = try await a.log.append(entries(2, seed: 2), term: term)
            } throws: { error in
                (error as? EventLogError)?.code == .unavailable
            }
            for member in ["e1", "e2", "e3"] { try etcd.restart(member) }
            #expect(try await etcd.waitHealthy(timeout: .seconds(60)))
            #expect(a.elector.isLeader, "a short outage keeps the lease")
            let range = try await a.log.append(entries(3, seed: 3), term: term)
            #expect(range == (before + 1)..<(before + 4))
            #expect(try a.records().count == Int(before) + 3)
        }
    }

    @Test func quorumLossStopsAppendsAndTheLeaderStepsDownThenServiceResumes() async throws {
        try await withEtcdCluster { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "quorum")
            let term = try await a.lead()
            _ = try await a.log.append(entries(2, seed: 1), term: term)
            let before = a.mirror.lastSequence
            etcd.kill("e2")
            _ = try await a.log.append(entries(2, seed: 2), term: term)  // one member down: service goes on
            etcd.kill("e3")
            await #expect(throws: EventLogError.self) {
                _ = try await a.log.append(entries(2, seed: 3), term: term)
            }
            // The refused append may still commit when the quorum returns (etcd had it in flight): its
            // outcome is unknown, never guessed. Either way it lands at most once, after the others.
            #expect(a.mirror.lastSequence == before + 2, "nothing mirrored without a quorum")
            // The leader steps down by its own clock within the TTL.
            #expect(try await eventually(timeout: .seconds(8)) { !a.elector.isLeader })
            try etcd.restart("e2")
            try etcd.restart("e3")
            #expect(try await etcd.waitHealthy(timeout: .seconds(30)))
            let again = try await a.lead()
            #expect(again > term)
            let recovered = a.mirror.lastSequence
            #expect(recovered == before + 2 || recovered == before + 4, "the in-doubt append is there whole or not at all")
            let range = try await a.log.append(entries(1, seed: 4), term: again)
            #expect(range.lowerBound == recovered + 1)
            let payloads = try a.records().map(\.payload)
            #expect(Set(payloads).count == payloads.count, "no record twice")
        }
    }
}

}

/// etcd faults that need an operator: the append fails with a typed error naming the cause, and
/// nothing diverges.
extension HASuites {
@Suite(.serialized) struct EtcdFaultTests {
    @Test func aFullEtcdRefusesAppendsWithATypedErrorAndTheMirrorStaysConsistent() async throws {
        try await withEtcdCluster(size: 1, extraArguments: ["--quota-backend-bytes=\(16 << 20)"]) { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "quota")
            let term = try await a.lead()
            let big = [UInt8](repeating: 0x5A, count: 200 << 10)
            var refusal: EventLogError?
            for round in 0..<400 where refusal == nil {
                do {
                    _ = try await a.log.append([LogEntry(typeTag: 0x0101, payload: big + Array("\(round)".utf8), timestamp: Int64(round))], term: term)
                } catch {
                    refusal = error as? EventLogError ?? EventLogError(.storage, "\(error)")
                }
            }
            let error = try #require(refusal, "16 MiB of etcd never filled up")
            #expect(error.code == .unavailable)
            #expect(error.message.contains("space"), "\(error)")
            // The mirror holds exactly what etcd acknowledged: a fresh catch-up finds nothing to fix.
            let appended = a.mirror.lastSequence
            #expect(appended > 0)
            let position = try await a.log.catchUp()
            #expect(position.lastSequence == appended)
        }
    }
}

}

/// etcd history compaction under a follower: the log's chunks are live keys, so a follower whose
/// watch position was compacted away repairs with range reads and ends identical.
extension HASuites {
@Suite(.serialized) struct EtcdCompactionTests {
    @Test func aFollowerBehindACompactionCatchesUpByRangeReads() async throws {
        try await withEtcdCluster { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "compact")
            let b = try TestMember("b", etcd: etcd, cluster: "compact")
            let term = try await a.lead()
            _ = try await a.log.append(entries(3, seed: 1), term: term)
            let follow = Task { await b.log.follow() }
            #expect(try await eventually(timeout: .seconds(10)) { b.mirror.lastSequence == a.mirror.lastSequence })
            follow.cancel()
            await follow.value
            let behind = try await a.log.currentRevision()

            for round in 0..<30 { _ = try await a.log.append(entries(1 + round % 4, seed: 10 + round), term: term) }
            let current = try await a.log.currentRevision()
            try await a.log.compactHistory(before: current - 1)

            // A watch from where the follower stopped is cancelled as compacted (etcd's answer, typed).
            let client = try EtcdClient(endpoints: etcd.endpoints)
            await #expect {
                for try await _ in client.watch(EtcdKeys(cluster: "compact").chunkPrefix, end: nil, from: behind + 1) {}
            } throws: { error in
                (error as? EtcdError)?.code == .compacted
            }
            // The follower repairs with range reads and holds every record once.
            let again = Task { await b.log.follow() }
            #expect(try await eventually(timeout: .seconds(10)) { b.mirror.lastSequence == a.mirror.lastSequence })
            again.cancel()
            await again.value
            #expect(try b.records() == a.records())
            // Compacting at or below the last compaction is not an error.
            try await a.log.compactHistory(before: current - 5)
        }
    }
}
}
