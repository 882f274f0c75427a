import CLMDB

extension LMDBLog {
    public func writeSnapshot(_ snapshot: SnapshotRecord) async throws(EventLogError) {
        let env = self.environment
        let value = snapshot.encodedValue()
        try await self.onWriter { () throws(EventLogError) in
            while true {
                do throws(EventLogError) {
                    try env.write { txn throws(EventLogError) in
                        try withBytes(value) { v throws(EventLogError) in
                            try txn.put(env.snapshots, key: snapshot.sequence, value: v, append: false)
                        }
                    }
                    return
                } catch where error.code == .mapFull {
                    guard try env.grow() else { throw error }
                }
            }
        }
    }

    public func latestSnapshot(atOrBefore sequence: UInt64) throws(EventLogError) -> SnapshotRecord? {
        let env = self.environment
        return try env.read { txn throws(EventLogError) -> SnapshotRecord? in
            try txn.withCursor(env.snapshots) { cursor throws(EventLogError) -> SnapshotRecord? in
                // SET_RANGE finds the first key >= sequence; step back unless it matches exactly.
                var item = try cursor.get(MDB_SET_RANGE, key: sequence)
                if let found = item, found.key > sequence {
                    item = try cursor.get(MDB_PREV)
                } else if item == nil {
                    item = try cursor.get(MDB_LAST)
                }
                guard let (key, value) = item, key <= sequence else { return nil }
                return try SnapshotRecord(sequence: key, value: value)
            }
        }
    }

    /// Sequence numbers of every stored snapshot, oldest first.
    public func snapshotSequences() throws(EventLogError) -> [UInt64] {
        let env = self.environment
        return try env.read { txn throws(EventLogError) -> [UInt64] in
            try txn.withCursor(env.snapshots) { cursor throws(EventLogError) -> [UInt64] in
                var out: [UInt64] = []
                var item = try cursor.get(MDB_FIRST)
                while let (key, _) = item {
                    out.append(key)
                    item = try cursor.get(MDB_NEXT)
                }
                return out
            }
        }
    }

    /// Drops records before `sequence`. Allowed only when a snapshot covers everything dropped,
    /// i.e. one exists at `sequence - 1` or later, so a rebuild never needs a dropped record.
    public func truncate(before sequence: UInt64) async throws(EventLogError) {
        guard sequence > self.firstSequence else { return }
        guard let covering = try self.latestSnapshot(atOrBefore: self.lastSequence), covering.sequence + 1 >= sequence else {
            throw EventLogError(.truncationNotCovered, "no snapshot at or after sequence \(sequence - 1) covers the records to drop", sequence: sequence)
        }
        let env = self.environment
        let from = self.firstSequence
        try await self.onWriter { () throws(EventLogError) in
            var next = from
            while next < sequence {
                let end = min(sequence, next + 10_000)
                try env.write { txn throws(EventLogError) in
                    for key in next..<end { try txn.delete(env.events, key: key) }
                    try Self.putMeta(txn, env.meta, key: Self.metaFirstSequenceKey, value: end)
                }
                next = end
            }
            self.head.withLock { $0.firstSequence = sequence }
        }
    }
}

extension LMDBLog {
    /// Replaces this log's records with `snapshot`: afterwards the log is empty, starts at
    /// `snapshot.sequence + 1`, and rebuilds from the snapshot. A mirror that fell behind records
    /// its source has already dropped (HA) catches up this way. The snapshot must not be older
    /// than the records held, or installing it would lose them.
    public func installSnapshot(_ snapshot: SnapshotRecord, term: UInt64) async throws(EventLogError) {
        guard snapshot.sequence >= self.lastSequence else {
            throw EventLogError(
                .truncationNotCovered,
                "snapshot at \(snapshot.sequence) is older than the log's last record \(self.lastSequence)", sequence: snapshot.sequence)
        }
        let env = self.environment
        let value = snapshot.encodedValue()
        let (from, last) = self.head.withLock { ($0.firstSequence, $0.lastSequence) }
        try await self.onWriter { () throws(EventLogError) in
            // Emptied in steps, each one consistent (the first sequence moves up with the deletes);
            // a crash part-way leaves a shorter log, which the next catch-up installs again.
            var next = from
            while next <= last {
                let end = min(last + 1, next + 10_000)
                try env.write { txn throws(EventLogError) in
                    for key in next..<end { try txn.delete(env.events, key: key) }
                    try Self.putMeta(txn, env.meta, key: Self.metaFirstSequenceKey, value: end)
                }
                next = end
                self.head.withLock { $0.firstSequence = end }
            }
            let newTerm = max(term, self.head.withLock { $0.term })
            while true {
                do throws(EventLogError) {
                    try env.write { txn throws(EventLogError) in
                        try withBytes(value) { v throws(EventLogError) in
                            try txn.put(env.snapshots, key: snapshot.sequence, value: v, append: false)
                        }
                        try Self.putMeta(txn, env.meta, key: Self.metaFirstSequenceKey, value: snapshot.sequence + 1)
                        try Self.putMeta(txn, env.meta, key: Self.metaTermKey, value: newTerm)
                    }
                    break
                } catch where error.code == .mapFull {
                    guard try env.grow() else { throw error }
                }
            }
            self.head.withLock {
                $0.firstSequence = snapshot.sequence + 1
                $0.lastSequence = snapshot.sequence
                $0.term = newTerm
            }
        }
        self.notifier.publish(snapshot.sequence)
    }
}
