import CLMDB

/// A read-write LMDB transaction. Only handed to synchronous closures by `LMDBEnvironment.write`,
/// so it can never be held across an `await` (the writer mutex belongs to the OS thread).
struct WriteTransaction: ~Copyable {
    let handle: OpaquePointer

    /// The corresponding C function is `mdb_put`.
    func put(_ dbi: MDB_dbi, key: UInt64, value: UnsafeRawBufferPointer, append: Bool) throws(EventLogError) {
        var be = key.bigEndian
        let rc = withUnsafeMutableBytes(of: &be) { kb -> Int32 in
            var k = MDB_val(mv_size: 8, mv_data: kb.baseAddress)
            var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
            return mdb_put(self.handle, dbi, &k, &v, append ? UInt32(MDB_APPEND) : 0)
        }
        try LMDBCall.check(rc, "mdb_put")
    }

    /// The corresponding C function is `mdb_del`.
    func delete(_ dbi: MDB_dbi, key: UInt64) throws(EventLogError) {
        var be = key.bigEndian
        let rc = withUnsafeMutableBytes(of: &be) { kb -> Int32 in
            var k = MDB_val(mv_size: 8, mv_data: kb.baseAddress)
            return mdb_del(self.handle, dbi, &k, nil)
        }
        if rc == LMDBCall.notFound { return }
        try LMDBCall.check(rc, "mdb_del")
    }

    func withCursor<T>(_ dbi: MDB_dbi, _ body: (borrowing Cursor) throws(EventLogError) -> T) throws(EventLogError) -> T {
        try Cursor.with(txn: self.handle, dbi: dbi, body)
    }

    /// LMDB frees the transaction whether or not the commit succeeds, hence `discard self` first.
    consuming func commit() throws(EventLogError) {
        let handle = self.handle
        discard self
        try LMDBCall.check(mdb_txn_commit(handle), "mdb_txn_commit")
    }

    consuming func abort() {
        let handle = self.handle
        discard self
        mdb_txn_abort(handle)
    }

    deinit { mdb_txn_abort(self.handle) }
}

/// A read-only transaction; `MDB_NOTLS` lets many of them live on one thread.
struct ReadTransaction: ~Copyable {
    let handle: OpaquePointer

    func withCursor<T>(_ dbi: MDB_dbi, _ body: (borrowing Cursor) throws(EventLogError) -> T) throws(EventLogError) -> T {
        try Cursor.with(txn: self.handle, dbi: dbi, body)
    }

    deinit { mdb_txn_abort(self.handle) }
}

/// A cursor; the `MDB_val` views it yields are only valid inside the enclosing transaction closure.
struct Cursor: ~Copyable {
    let handle: OpaquePointer

    static func with<T>(
        txn: OpaquePointer, dbi: MDB_dbi, _ body: (borrowing Cursor) throws(EventLogError) -> T
    ) throws(EventLogError) -> T {
        var handle: OpaquePointer?
        try LMDBCall.check(mdb_cursor_open(txn, dbi, &handle), "mdb_cursor_open")
        let cursor = Cursor(handle: handle!)
        return try body(cursor)
    }

    /// Positions the cursor; returns the key and value, or `nil` at `MDB_NOTFOUND`.
    /// The corresponding C function is `mdb_cursor_get`.
    func get(_ op: MDB_cursor_op, key: UInt64? = nil) throws(EventLogError) -> (key: UInt64, value: UnsafeRawBufferPointer)? {
        var be = (key ?? 0).bigEndian
        return try withUnsafeMutableBytes(of: &be) { kb throws(EventLogError) -> (key: UInt64, value: UnsafeRawBufferPointer)? in
            var k = MDB_val(mv_size: 8, mv_data: kb.baseAddress)
            var v = MDB_val()
            let rc = mdb_cursor_get(self.handle, &k, &v, op)
            if rc == LMDBCall.notFound { return nil }
            try LMDBCall.check(rc, "mdb_cursor_get")
            guard k.mv_size == 8 else {
                throw EventLogError(.corruptRecord, "key of \(k.mv_size) bytes, expected 8")
            }
            let seq = UInt64(bigEndian: k.mv_data.loadUnaligned(as: UInt64.self))
            return (seq, UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
        }
    }

    deinit { mdb_cursor_close(self.handle) }
}
