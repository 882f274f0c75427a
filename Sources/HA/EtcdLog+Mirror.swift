import Etcd
public import EventLog
import Foundation
import Logging

/// Filling the mirror from etcd: range reads up to the head, then a watch on the chunk keys,
/// never trusting the watch alone (etcd 3.4.23 has known watch bugs, ha.md §2.3): every chunk must
/// start right after the mirror's last sequence, and a gap, a compaction or a silent watch falls
/// back to range reads.
extension EtcdLog {
    public struct Position: Sendable {
        /// `log/head`'s mod revision (0: no head).
        public var headRevision: Int64
        /// `log/head`'s value (nil: no head), what the next append compares against.
        public var headValue: Data?
        /// The etcd revision the catch-up read at.
        public var revision: Int64
        public var lastSequence: UInt64
    }

    /// Brings the mirror up to etcd's head, read linearizably. Refuses a different etcd cluster
    /// and a mirror that does not match etcd (`.diverged`, naming the sequence).
    @discardableResult
    public func catchUp() async throws(EventLogError) -> Position {
        let answer = try await self.etcd { () throws(EtcdError) in try await self.client.range(self.keys.head) }
        try self.checkClusterID(answer.header)
        let revision = answer.header?.revisionValue ?? 0
        let kv = answer.items.first
        let head = LogHead.decode(kv)
        let target = head?.lastSequence ?? 0
        if self.mirror.lastSequence > target {
            throw EventLogError(.diverged, "the mirror holds \(self.mirror.lastSequence) records, etcd's log only \(target)", sequence: target + 1)
        }
        try await self.verifyLastChunk(at: revision)
        while self.mirror.lastSequence < target {
            let from = self.mirror.lastSequence + 1
            // The chunks from `from` on may have been truncated behind a snapshot: install it.
            guard let holder = try await self.chunk(holding: from, at: revision) else {
                try await self.installSnapshot(covering: from, at: revision)
                continue
            }
            let page = try await self.etcd { () throws(EtcdError) in
                try await self.client.range(
                    self.keys.chunk(firstSequence: holder.firstSequence), end: EtcdKeys.end(of: self.keys.chunkPrefix), limit: 32, revision: revision)
            }
            guard !page.items.isEmpty else {
                throw EventLogError(.unavailable, "etcd holds no chunk from sequence \(from)", sequence: from)
            }
            for kv in page.items where self.mirror.lastSequence < target {
                let chunk = try LogChunk(decoding: [UInt8](kv.bytes), key: kv.keyString)
                try await self.mirrorChunk(chunk)
            }
        }
        return Position(headRevision: kv?.modRevisionValue ?? 0, headValue: kv?.bytes, revision: revision, lastSequence: target)
    }

    /// Appends `chunk` to the mirror if it is the next one; older chunks are skipped, a gap throws.
    /// A chunk that straddles the mirror's end (after a snapshot install) contributes its tail.
    func mirrorChunk(_ chunk: LogChunk) async throws(EventLogError) {
        let next = self.mirror.lastSequence + 1
        if chunk.lastSequence < next { return }
        if chunk.firstSequence < next {
            let tail = LogChunk(
                firstSequence: next, term: chunk.term, batchID: chunk.batchID,
                entries: Array(chunk.entries[Int(next - chunk.firstSequence)...]))
            return try await self.mirrorChunk(tail)
        }
        guard chunk.firstSequence == next else {
            throw EventLogError(.sequenceGap, "etcd chunk starts at \(chunk.firstSequence), the mirror needs \(next)", sequence: next)
        }
        guard chunk.term >= self.mirror.currentTerm else {
            throw EventLogError(.diverged, "chunk at \(chunk.firstSequence) has term \(chunk.term) below the mirror's \(self.mirror.currentTerm)", sequence: chunk.firstSequence)
        }
        let range = try await self.mirror.append(chunk.entries, term: chunk.term)
        guard range.lowerBound == chunk.firstSequence else {
            throw EventLogError(.diverged, "the mirror placed chunk \(chunk.firstSequence) at \(range.lowerBound)", sequence: chunk.firstSequence)
        }
    }

    /// The chunk holding the mirror's last record must carry the same record (type, term, payload).
    func verifyLastChunk(at revision: Int64) async throws(EventLogError) {
        let last = self.mirror.lastSequence
        // An empty mirror, or one that holds only an installed snapshot, has no record to compare.
        guard last > 0, last >= self.mirror.firstSequence else { return }
        let answer = try await self.etcd { () throws(EtcdError) in
            try await self.client.range(
                self.keys.chunkPrefix, end: self.keys.chunk(firstSequence: last + 1), limit: 1, revision: revision, descendingKeys: true)
        }
        guard let kv = answer.items.first else { return }  // truncated below it: nothing to compare
        let chunk = try LogChunk(decoding: [UInt8](kv.bytes), key: kv.keyString)
        guard chunk.firstSequence <= last, chunk.lastSequence >= last else { return }
        let entry = chunk.entries[Int(last - chunk.firstSequence)]
        guard let record = try self.mirror.records(from: last, limit: 1).first,
              record.typeTag == entry.typeTag, record.payload == entry.payload, record.term == chunk.term
        else {
            throw EventLogError(.diverged, "the mirror's record \(last) differs from etcd's", sequence: last)
        }
    }

    /// Pins the etcd cluster this mirror follows; a different cluster (a new etcd, with
    /// revisions restarting at 1) is refused rather than mixed in.
    func checkClusterID(_ header: EtcdResponseHeader?) throws(EventLogError) {
        guard let header, header.clusterID != nil else { return }
        let id = header.clusterIDHex
        if let pinned = try? String(contentsOfFile: self.clusterIDFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) {
            guard pinned == id else {
                throw EventLogError(.diverged, "this mirror follows etcd cluster \(pinned), but the endpoints belong to cluster \(id)")
            }
            return
        }
        do {
            try (id + "\n").write(toFile: self.clusterIDFile, atomically: true, encoding: .utf8)
        } catch {
            throw EventLogError(.storage, "cannot pin etcd cluster id in \(self.clusterIDFile): \(error)")
        }
    }

    /// Follows etcd into the mirror until cancelled (while this master does not lead). Errors are
    /// logged and the loop restarts from a range catch-up.
    public func follow(onProgress: @escaping @Sendable (UInt64) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                let position = try await self.catchUp()
                onProgress(self.mirror.lastSequence)
                try await self.watchChunks(from: position.revision + 1, onProgress: onProgress)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                self.logger.warning("mirror follow restarts", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Applies watched chunks; returns (to re-catch-up) when the head poll sees the mirror behind
    /// for two polls in a row, which a lost or silent watch would cause.
    private func watchChunks(from revision: Int64, onProgress: @escaping @Sendable (UInt64) -> Void) async throws {
        let watch = self.client.watch(self.keys.chunkPrefix, end: EtcdKeys.end(of: self.keys.chunkPrefix), from: revision)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await response in watch {
                    for event in response.events ?? [] where !event.isDelete {
                        guard let kv = event.kv else { continue }
                        let chunk = try LogChunk(decoding: [UInt8](kv.bytes), key: kv.keyString)
                        try await self.mirrorChunk(chunk)
                    }
                    onProgress(self.mirror.lastSequence)
                }
            }
            group.addTask {
                var behind = 0
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(1))
                    let answer = try await self.client.range(self.keys.head)
                    let head = LogHead.decode(answer.items.first)
                    behind = (head?.lastSequence ?? 0) > self.mirror.lastSequence ? behind + 1 : 0
                    if behind >= 2 { return }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Runs one etcd call, mapping its failure to the log's error vocabulary.
    func etcd<T>(_ body: () async throws(EtcdError) -> T) async throws(EventLogError) -> T {
        do {
            return try await body()
        } catch {
            throw EventLogError(.unavailable, "etcd: \(error)")
        }
    }
}
