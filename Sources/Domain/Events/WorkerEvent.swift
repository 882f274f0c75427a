public import BinaryCoding

/// Worker membership and liveness. Times are the leader's clock in Unix milliseconds, carried as
/// data so that replay needs no clock.
public enum WorkerEvent: EventCategoryCodable {
    /// The worker joined with its API address; it stays offline until its first keepalive.
    case registered(WorkerName, address: String)
    /// The worker proved it is alive at `at`.
    case keepalive(WorkerName, at: Int64)
    /// The leader's timer found no keepalive within the TTL; the worker is offline.
    case expired(WorkerName, at: Int64)
    /// The worker announced a graceful stop; it is offline at once.
    case offlined(WorkerName)
    /// `offline-member`: the registration (and its last-bound preference) is gone.
    case removed(WorkerName)

    public var caseTag: UInt8 {
        switch self {
        case .registered: 1
        case .keepalive: 2
        case .expired: 3
        case .offlined: 4
        case .removed: 5
        }
    }

    public var caseName: String {
        switch self {
        case .registered: "registered"
        case .keepalive: "keepalive"
        case .expired: "expired"
        case .offlined: "offlined"
        case .removed: "removed"
        }
    }

    public var worker: WorkerName {
        switch self {
        case .registered(let w, _), .keepalive(let w, _), .expired(let w, _), .offlined(let w), .removed(let w): w
        }
    }

    public var subjects: [EventSubject] { [.worker(self.worker.rawValue)] }

    public func encodeFields(to writer: inout ByteWriter) {
        writer.write(self.worker)
        switch self {
        case .registered(_, let address): writer.writeString(address)
        case .keepalive(_, let at), .expired(_, let at): writer.writeVarInt(at)
        case .offlined, .removed: break
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch caseTag {
        case 1: self = .registered(try reader.read(), address: try reader.readString())
        case 2: self = .keepalive(try reader.read(), at: try reader.readVarInt())
        case 3: self = .expired(try reader.read(), at: try reader.readVarInt())
        case 4: self = .offlined(try reader.read())
        case 5: self = .removed(try reader.read())
        default: throw BinaryDecodingError(.invalidValue, at: at, "unknown worker event tag \(caseTag)")
        }
    }
}
