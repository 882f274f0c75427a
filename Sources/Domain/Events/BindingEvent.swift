public import BinaryCoding

/// Why a source left its worker.
public enum UnbindReason: String, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    /// The worker's keepalive expired.
    case workerExpired
    /// The worker stopped gracefully.
    case workerStopped
    /// The source was removed (`operate-source stop`).
    case sourceRemoved
    /// `transfer-source` moved the source to another worker.
    case transferred

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .workerExpired: writer.writeByte(1)
        case .workerStopped: writer.writeByte(2)
        case .sourceRemoved: writer.writeByte(3)
        case .transferred: writer.writeByte(4)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self = .workerExpired
        case 2: self = .workerStopped
        case 3: self = .sourceRemoved
        case 4: self = .transferred
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "unbind reason tag \(other)")
        }
    }
}

/// Which worker serves which source.
///
/// Every `bound` carries a binding epoch, strictly greater than every epoch before it in the
/// cluster. Workers write it into the downstream checkpoint row, and an apply transaction that
/// finds a newer epoch aborts: a worker that lost its binding can never double-write
/// (tiflow#3737). `unbound` names the epoch of the binding it ends.
public enum BindingEvent: EventCategoryCodable {
    case bound(SourceID, WorkerName, epoch: UInt64)
    case unbound(SourceID, WorkerName, epoch: UInt64, reason: UnbindReason)

    public var caseTag: UInt8 {
        switch self {
        case .bound: 1
        case .unbound: 2
        }
    }

    public var caseName: String {
        switch self {
        case .bound: "bound"
        case .unbound: "unbound"
        }
    }

    public var subjects: [EventSubject] {
        switch self {
        case .bound(let s, let w, _), .unbound(let s, let w, _, _): [.source(s.rawValue), .worker(w.rawValue)]
        }
    }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .bound(let s, let w, let epoch):
            writer.write(s)
            writer.write(w)
            writer.writeVarUInt(epoch)
        case .unbound(let s, let w, let epoch, let reason):
            writer.write(s)
            writer.write(w)
            writer.writeVarUInt(epoch)
            writer.write(reason)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch caseTag {
        case 1: self = .bound(try reader.read(), try reader.read(), epoch: try reader.readVarUInt())
        case 2:
            self = .unbound(
                try reader.read(),
                try reader.read(),
                epoch: try reader.readVarUInt(),
                reason: try reader.read()
            )
        default: throw BinaryDecodingError(.invalidValue, at: at, "unknown binding event tag \(caseTag)")
        }
    }
}
