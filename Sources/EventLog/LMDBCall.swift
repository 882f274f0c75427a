import CLMDB

#if canImport(Glibc)
import Glibc
#endif

/// The one place LMDB return codes become errors (GRDB/swift-system style).
enum LMDBCall {
    static let notFound: Int32 = MDB_NOTFOUND
    static let mapFull: Int32 = MDB_MAP_FULL
    static let mapResized: Int32 = MDB_MAP_RESIZED
    static let keyExists: Int32 = MDB_KEYEXIST

    /// Throws unless `rc` is `MDB_SUCCESS`; `operation` names the C function for the message.
    static func check(_ rc: Int32, _ operation: StaticString) throws(EventLogError) {
        guard rc != 0 else { return }
        throw self.error(rc, operation)
    }

    static func error(_ rc: Int32, _ operation: StaticString) -> EventLogError {
        let text = String(cString: mdb_strerror(rc))
        switch rc {
        case MDB_MAP_FULL:
            return EventLogError(.mapFull, "\(operation): \(text)", returnCode: rc)
        case ENOSPC, EDQUOT:
            return EventLogError(.diskFull, "\(operation): no space left on device", returnCode: rc)
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND:
            return EventLogError(.corruptRecord, "\(operation): \(text)", returnCode: rc)
        default:
            return EventLogError(.storage, "\(operation): \(text)", returnCode: rc)
        }
    }
}
