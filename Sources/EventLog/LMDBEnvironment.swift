import CLMDB
import Foundation

/// How hard a commit pushes data to the disk.
public enum SyncMode: Sendable, Hashable {
    /// Data and meta page are fsynced: an acknowledged append survives power loss.
    case durable
    /// One fsync per commit; a crash may lose the last commit, never consistency.
    case noMetaSync
    /// No fsync; for tests and benchmarks of the non-durable path only.
    case noSync
}

/// Owns one `MDB_env` and its named databases. The only holder of the C handle.
final class LMDBEnvironment: @unchecked Sendable {
    // Safe: LMDB documents MDB_env as thread-safe; `mapSize` is only changed under `resizeLock`
    // exclusively, and transactions hold `resizeLock` shared.
    let env: OpaquePointer
    let events: MDB_dbi
    let snapshots: MDB_dbi
    let meta: MDB_dbi
    let resizeLock = ReadWriteLock()
    private(set) var mapSize: Int
    let maxMapSize: Int

    init(path: String, syncMode: SyncMode, initialMapSize: Int, maxMapSize: Int) throws(EventLogError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EventLogError(.storage, "cannot create log directory \(path): \(error)")
        }
        var env: OpaquePointer?
        try LMDBCall.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw EventLogError(.storage, "mdb_env_create returned no environment") }
        // > "A memory map size ... must be closed with mdb_env_close() even if mdb_env_open() fails."
        do throws(EventLogError) {
            try LMDBCall.check(mdb_env_set_maxdbs(env, 4), "mdb_env_set_maxdbs")
            try LMDBCall.check(mdb_env_set_maxreaders(env, 256), "mdb_env_set_maxreaders")
            try LMDBCall.check(mdb_env_set_mapsize(env, initialMapSize), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS)
            switch syncMode {
            case .durable: break
            case .noMetaSync: flags |= UInt32(MDB_NOMETASYNC)
            case .noSync: flags |= UInt32(MDB_NOSYNC)
            }
            try LMDBCall.check(mdb_env_open(env, path, flags, 0o644), "mdb_env_open")
            // The file may be bigger than asked for if another process grew it: adopt its size.
            var info = MDB_envinfo()
            try LMDBCall.check(mdb_env_info(env, &info), "mdb_env_info")
            self.mapSize = max(info.me_mapsize, initialMapSize)

            var txn: OpaquePointer?
            try LMDBCall.check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin")
            var dbis: [MDB_dbi] = []
            for name in ["events", "snapshots", "meta"] {
                var dbi = MDB_dbi()
                let rc = mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbi)
                if rc != 0 {
                    mdb_txn_abort(txn)
                    throw LMDBCall.error(rc, "mdb_dbi_open")
                }
                dbis.append(dbi)
            }
            try LMDBCall.check(mdb_txn_commit(txn), "mdb_txn_commit")
            self.events = dbis[0]
            self.snapshots = dbis[1]
            self.meta = dbis[2]
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.env = env
        self.maxMapSize = maxMapSize
    }

    deinit { mdb_env_close(self.env) }

    /// Runs `body` in a write transaction: commit if it returns, abort if it throws.
    /// Call only from the single writer thread.
    @available(*, noasync)
    func write<T>(_ body: (borrowing WriteTransaction) throws(EventLogError) -> T) throws(EventLogError) -> T {
        try self.resizeLock.withShared { () throws(EventLogError) -> T in
            let txn = WriteTransaction(handle: try self.begin(readOnly: false))
            let result: T
            do throws(EventLogError) {
                result = try body(txn)
            } catch {
                txn.abort()
                throw error
            }
            try txn.commit()
            return result
        }
    }

    /// Runs `body` in a read-only snapshot of the log.
    @available(*, noasync)
    func read<T>(_ body: (borrowing ReadTransaction) throws(EventLogError) -> T) throws(EventLogError) -> T {
        try self.resizeLock.withShared { () throws(EventLogError) -> T in
            let txn = ReadTransaction(handle: try self.begin(readOnly: true))
            return try body(txn)
        }
    }

    private func begin(readOnly: Bool) throws(EventLogError) -> OpaquePointer {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(self.env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if rc == LMDBCall.mapResized {
            // > "the mapsize was increased by another process": adopt the new size, then retry.
            mdb_env_set_mapsize(self.env, 0)
            rc = mdb_txn_begin(self.env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        }
        try LMDBCall.check(rc, "mdb_txn_begin")
        return txn!
    }

    /// Doubles the map, up to `maxMapSize`. Returns false when already at the maximum.
    /// Must be called with no transaction of this thread open.
    func grow() throws(EventLogError) -> Bool {
        try self.resizeLock.withExclusive { () throws(EventLogError) -> Bool in
            guard self.mapSize < self.maxMapSize else { return false }
            let next = min(self.mapSize * 2, self.maxMapSize)
            try LMDBCall.check(mdb_env_set_mapsize(self.env, next), "mdb_env_set_mapsize")
            self.mapSize = next
            return true
        }
    }

    /// Removes stale reader slots left by crashed processes. The C function is `mdb_reader_check`.
    func clearStaleReaders() -> Int {
        var dead: Int32 = 0
        mdb_reader_check(self.env, &dead)
        return Int(dead)
    }
}
