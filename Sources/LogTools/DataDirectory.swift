import EventLog

/// Where a master keeps things inside its `--data-dir`.
public enum DataDirectory {
    /// The LMDB environment holding the event log and snapshots.
    public static func logPath(_ dataDir: String) -> String { dataDir + "/log" }

    /// Opens the log of a data directory; fails with a clear error if there is none.
    public static func openLog(_ dataDir: String) throws -> LMDBLog {
        var isDir: ObjCBoolShim = false
        guard FileSystem.exists(logPath(dataDir) + "/data.mdb", isDirectory: &isDir) else {
            throw LogToolError.noLog(dataDir)
        }
        return try LMDBLog(path: logPath(dataDir))
    }
}

typealias ObjCBoolShim = Bool

enum FileSystem {
    static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        return true
    }
}

#if canImport(Glibc)
import Glibc
#endif
