import Etcd
public import EventLog
import Foundation

/// What `snap/manifest` says: the snapshot a member installs when the chunks it needs are gone.
/// Parts are written first and the manifest last, so a reader at one revision sees either the old
/// snapshot or the new one whole.
public struct SnapshotManifest: Codable, Sendable, Hashable {
    public var sequence: UInt64
    /// The projection's format version (`SnapshotRecord.version`).
    public var version: UInt32
    /// The term of the leader that published it.
    public var term: UInt64
    public var parts: Int
    public var bytes: Int
    /// CRC32C of the state bytes, all parts in order.
    public var checksum: UInt32

    static func decode(_ kv: EtcdKeyValue?) -> SnapshotManifest? {
        guard let kv else { return nil }
        return try? JSONDecoder().decode(SnapshotManifest.self, from: kv.bytes)
    }
}

/// Snapshots in etcd and truncation of the chunks behind them (ha.md §3.5), so etcd holds a bounded
/// log however long the cluster runs. Every write is fenced by the election key, like appends.
extension EtcdLog {
    /// Publishes `snapshot` unless etcd already holds one at least as new. Returns whether it wrote.
    @discardableResult
    public func publishSnapshot(_ snapshot: SnapshotRecord) async throws(EventLogError) -> Bool {
        let fence = try self.leadingFence()
        if let manifest = try await self.snapshotManifest(), manifest.sequence >= snapshot.sequence { return false }
        let state = snapshot.state
        var parts = 0
        var offset = 0
        repeat {
            let end = min(state.count, offset + self.snapshotPartBytes)
            let part = Data(state[offset..<end])
            try await self.fencedWrite(
                [.put(key: self.keys.snapshotPart(sequence: snapshot.sequence, index: parts), value: part, lease: nil)],
                fence: fence, what: "snapshot part \(parts) at \(snapshot.sequence)")
            parts += 1
            offset = end
        } while offset < state.count
        let manifest = SnapshotManifest(
            sequence: snapshot.sequence, version: snapshot.version, term: fence.term, parts: parts, bytes: state.count,
            checksum: CRC32C.checksum(state))
        let encoded = (try? JSONEncoder().encode(manifest)) ?? Data()
        // The manifest flips to the new snapshot and the older snapshots' parts go, in one txn.
        try await self.fencedWrite(
            [
                .put(key: self.keys.snapshotManifest, value: encoded, lease: nil),
                .deleteRange(key: self.keys.snapshotPartsPrefix, rangeEnd: self.keys.snapshotParts(sequence: snapshot.sequence)),
            ],
            fence: fence, what: "snapshot manifest at \(snapshot.sequence)")
        return true
    }

    /// Deletes the chunks before the one holding `sequence`, but never past etcd's latest snapshot.
    /// The chunk holding it stays, so etcd always keeps the log's newest record. Returns the first
    /// sequence etcd still holds (0 when nothing was deleted).
    @discardableResult
    public func truncateChunks(through sequence: UInt64) async throws(EventLogError) -> UInt64 {
        let fence = try self.leadingFence()
        let manifest = try await self.snapshotManifest()
        let covered = min(sequence, manifest?.sequence ?? 0)
        guard covered > 0, let holder = try await self.chunk(holding: covered, at: 0) else { return 0 }
        try await self.fencedWrite(
            [.deleteRange(key: self.keys.chunkPrefix, rangeEnd: self.keys.chunk(firstSequence: holder.firstSequence))],
            fence: fence, what: "truncation of chunks before \(holder.firstSequence)")
        return holder.firstSequence
    }

    /// The lowest mirror position any live member reports (a member that reports none pins 0).
    public func liveMirrorFloor() async throws(EventLogError) -> UInt64 {
        let answer = try await self.etcd { () throws(EtcdError) in
            try await self.client.range(self.keys.membersPrefix, end: EtcdKeys.end(of: self.keys.membersPrefix))
        }
        return answer.items.map { MemberInfo.decode($0.bytes)?.mirroredSequence ?? 0 }.min() ?? self.mirror.lastSequence
    }

    /// The published snapshot's manifest, if any.
    public func snapshotManifest(at revision: Int64 = 0) async throws(EventLogError) -> SnapshotManifest? {
        SnapshotManifest.decode(
            try await self.etcd { () throws(EtcdError) in try await self.client.range(self.keys.snapshotManifest, revision: revision) }.items.first)
    }

    /// The chunk holding `sequence`: the one with the greatest first sequence at or below it,
    /// if it reaches `sequence`. `nil` when etcd holds no chunk starting at or before it.
    func chunk(holding sequence: UInt64, at revision: Int64) async throws(EventLogError) -> LogChunk? {
        let answer = try await self.etcd { () throws(EtcdError) in
            try await self.client.range(
                self.keys.chunkPrefix, end: self.keys.chunk(firstSequence: sequence + 1), limit: 1, revision: revision, descendingKeys: true)
        }
        guard let kv = answer.items.first else { return nil }
        let chunk = try LogChunk(decoding: [UInt8](kv.bytes), key: kv.keyString)
        guard chunk.lastSequence >= sequence else {
            throw EventLogError(
                .sequenceGap, "etcd's chunks skip sequence \(sequence): the chunk before it ends at \(chunk.lastSequence)", sequence: sequence)
        }
        return chunk
    }

    /// Replaces the mirror with etcd's snapshot (read at `revision`) because the chunks from `from`
    /// on are gone. Refuses a snapshot that does not reach `from - 1`.
    func installSnapshot(covering from: UInt64, at revision: Int64) async throws(EventLogError) {
        guard let manifest = try await self.snapshotManifest(at: revision), manifest.sequence + 1 >= from else {
            throw EventLogError(
                .unavailable, "etcd holds no chunk from sequence \(from) and no snapshot that covers it", sequence: from)
        }
        let prefix = self.keys.snapshotParts(sequence: manifest.sequence)
        let answer = try await self.etcd { () throws(EtcdError) in
            try await self.client.range(prefix, end: EtcdKeys.end(of: prefix), revision: revision)
        }
        var state: [UInt8] = []
        state.reserveCapacity(manifest.bytes)
        for kv in answer.items { state.append(contentsOf: kv.bytes) }
        guard answer.items.count == manifest.parts, state.count == manifest.bytes, CRC32C.checksum(state) == manifest.checksum else {
            throw EventLogError(
                .corruptRecord,
                "etcd's snapshot at \(manifest.sequence) does not match its manifest (\(answer.items.count)/\(manifest.parts) parts, \(state.count)/\(manifest.bytes) bytes)",
                sequence: manifest.sequence)
        }
        let snapshot = SnapshotRecord(sequence: manifest.sequence, version: manifest.version, state: state)
        try await self.mirror.installSnapshot(snapshot, term: manifest.term)
        self.logger.notice("mirror installed etcd's snapshot", metadata: ["sequence": "\(manifest.sequence)", "bytes": "\(state.count)"])
    }

    private func leadingFence() throws(EventLogError) -> Fence {
        guard let fence = self.fence.withLock({ $0 }) else {
            throw EventLogError(.staleTerm, "this member does not lead the log")
        }
        return fence
    }

    /// One txn that applies `operations` only while this member's election key has the term's
    /// create revision. A refused compare deposes this member.
    private func fencedWrite(_ operations: [EtcdOperation], fence: Fence, what: String) async throws(EventLogError) {
        let answer: EtcdTxnResponse
        do throws(EtcdError) {
            answer = try await self.client.txn(
                compare: [.createRevision(fence.electionKey, .equal, Int64(fence.term))], success: operations)
        } catch {
            throw EventLogError(.unavailable, "\(what): \(error)")
        }
        guard answer.didSucceed else {
            throw self.lost("election key gone or re-created (term \(fence.term) is over) during \(what)")
        }
    }
}
