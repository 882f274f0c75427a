import EventLog
import Foundation

/// Where a master keeps things inside its `--data-dir`.
public enum DataDirectory {
    /// The LMDB environment holding the event log and snapshots.
    public static func logPath(_ dataDir: String) -> String { dataDir + "/log" }

    /// Opens the log of a data directory; fails with a clear error if there is none.
    public static func openLog(_ dataDir: String) throws -> LMDBLog {
        guard FileManager.default.fileExists(atPath: logPath(dataDir) + "/data.mdb") else {
            throw LogToolError.noLog(dataDir)
        }
        return try LMDBLog(path: logPath(dataDir))
    }
}
