import BraidTestSupport
import Etcd
import EventLog
import Foundation
import HA
import Testing

/// Snapshots in etcd and truncation behind them: etcd keeps a bounded log, and a member whose
/// mirror is behind the truncation (new, or back after a long absence) installs the snapshot.
extension HASuites {
@Suite(.serialized) struct EtcdSnapshotTests {
    @Test func membersBehindATruncationInstallTheSnapshotAndMirrorTheRest() async throws {
        var random = SeededRandom.fromEnvironment()
        let seed = random.seed
        try await withEtcdCluster { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "snap", snapshotPartBytes: 100)
            let lagging = try TestMember("lag", etcd: etcd, cluster: "snap")
            let term = try await a.lead()
            for round in 0..<15 { _ = try await a.log.append(entries(1 + Int(random.next() % 5), seed: round), term: term) }
            try await lagging.log.catchUp()
            let laggingAt = lagging.mirror.lastSequence
            #expect(laggingAt == a.mirror.lastSequence, "seed \(seed)")

            // The snapshot sits on the first record of a 4-record chunk, so an installer's next record
            // is inside a chunk (the chunk straddles the snapshot).
            for round in 15..<25 { _ = try await a.log.append(entries(1 + Int(random.next() % 5), seed: round), term: term) }
            let straddling = try await a.log.append(entries(4, seed: 25), term: term)
            for round in 26..<35 { _ = try await a.log.append(entries(1 + Int(random.next() % 5), seed: round), term: term) }
            let at = straddling.lowerBound
            let state = (0..<350).map { _ in UInt8.random(in: 0...255, using: &random) }
            let snapshot = SnapshotRecord(sequence: at, version: 7, state: state)
            try await a.log.writeSnapshot(snapshot)
            #expect(try await a.log.publishSnapshot(snapshot), "seed \(seed)")
            #expect(try await a.log.publishSnapshot(snapshot) == false, "an equal snapshot is not written twice")
            let manifest = try #require(try await a.log.snapshotManifest())
            #expect(manifest.sequence == at && manifest.parts == 4 && manifest.bytes == 350 && manifest.term == term)

            // Truncation stops at the snapshot, however far it is asked to go, and keeps the chunk holding it.
            let keys = EtcdKeys(cluster: "snap")
            let client = try EtcdClient(endpoints: etcd.endpoints)
            let before = try await client.range(keys.chunkPrefix, end: EtcdKeys.end(of: keys.chunkPrefix), countOnly: true).count?.value ?? -1
            let kept = try await a.log.truncateChunks(through: a.mirror.lastSequence)
            #expect(kept == at, "seed \(seed)")
            let after = try await client.range(keys.chunkPrefix, end: EtcdKeys.end(of: keys.chunkPrefix), countOnly: true).count?.value ?? -1
            #expect(after == 10 && before == 35, "chunks before \(before), after \(after), seed \(seed)")

            // A new member and a lagging one both install the snapshot, then mirror the chunks after it.
            let fresh = try TestMember("new", etcd: etcd, cluster: "snap")
            for member in [fresh, lagging] {
                try await member.log.catchUp()
                #expect(member.mirror.firstSequence == at + 1, "\(member.name), seed \(seed)")
                #expect(member.mirror.lastSequence == a.mirror.lastSequence, "\(member.name), seed \(seed)")
                #expect(try member.records() == a.mirror.records(from: at + 1, limit: .max), "\(member.name), seed \(seed)")
                #expect(try member.mirror.latestSnapshot(atOrBefore: .max) == snapshot, "\(member.name)")
                #expect(try member.mirror.verify().isSound, "\(member.name)")
            }
            // The watch then carries new chunks into the installed mirror.
            let follow = Task { await fresh.log.follow() }
            _ = try await a.log.append(entries(3, seed: 99), term: term)
            #expect(try await eventually(timeout: .seconds(10)) { fresh.mirror.lastSequence == a.mirror.lastSequence })
            follow.cancel()
            await follow.value
            #expect(try fresh.records() == a.mirror.records(from: at + 1, limit: .max))

            // A deposed leader can neither publish nor truncate: the election key fences both.
            let b = try TestMember("b", etcd: etcd, cluster: "snap")
            try await b.log.catchUp()
            let campaign = Task { try await b.lead() }
            await a.elector.resign()
            let termB = try await campaign.value
            #expect(termB > term)
            let newer = SnapshotRecord(sequence: a.mirror.lastSequence, version: 7, state: [1])
            await #expect(throws: EventLogError.self) { try await a.log.publishSnapshot(newer) }
            #expect(try await b.log.snapshotManifest()?.sequence == at, "the deposed leader's snapshot did not land")
        }
    }

    @Test func aCorruptSnapshotInEtcdIsRefusedByName() async throws {
        try await withEtcdCluster(size: 1) { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "bad", snapshotPartBytes: 8)
            let term = try await a.lead()
            for round in 0..<6 { _ = try await a.log.append(entries(2, seed: round), term: term) }
            let snapshot = SnapshotRecord(sequence: 8, version: 1, state: Array("twenty bytes of state".utf8))
            try await a.log.publishSnapshot(snapshot)
            #expect(try await a.log.truncateChunks(through: 8) == 7)
            let keys = EtcdKeys(cluster: "bad")
            let client = try EtcdClient(endpoints: etcd.endpoints)
            try await client.put(keys.snapshotPart(sequence: 8, index: 1), Data("garbage!".utf8))

            let fresh = try TestMember("new", etcd: etcd, cluster: "bad")
            await #expect {
                try await fresh.log.catchUp()
            } throws: { error in
                guard let error = error as? EventLogError else { return false }
                return error.code == .corruptRecord && error.sequence == 8
            }
            #expect(fresh.mirror.lastSequence == 0, "nothing was installed from the corrupt snapshot")
        }
    }

    /// Truncation never passes a live member's mirror: heartbeats carry each mirror's position.
    @Test func theLowestLiveMirrorBoundsTruncation() async throws {
        try await withEtcdCluster(size: 1) { etcd in
            let a = try TestMember("a", etcd: etcd, cluster: "floor")
            _ = try await a.lead()
            let keys = EtcdKeys(cluster: "floor")
            let client = try EtcdClient(endpoints: etcd.endpoints)
            #expect(try await a.log.liveMirrorFloor() == a.mirror.lastSequence, "no member reports: only this mirror counts")
            let lease = try await client.grantLease(ttl: 30)
            try await client.put(keys.member("x"), MemberInfo(name: "x", apiURL: "u", mirroredSequence: 12).encoded(), lease: lease)
            try await client.put(keys.member("y"), MemberInfo(name: "y", apiURL: "u", mirroredSequence: 5).encoded(), lease: lease)
            #expect(try await a.log.liveMirrorFloor() == 5)
            try await client.put(keys.member("z"), MemberInfo(name: "z", apiURL: "u").encoded(), lease: lease)
            #expect(try await a.log.liveMirrorFloor() == 0, "a member that reports no position pins everything")
            try await client.revoke(lease: lease)
            #expect(try await a.log.liveMirrorFloor() == a.mirror.lastSequence, "members whose lease ended do not count")
        }
    }
}
}
