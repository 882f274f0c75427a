public import BinaryCoding

/// Upstream sources entering, changing and leaving the cluster (`operate-source`).
///
/// The events carry the whole config, password included, because the worker bound to the source
/// connects with it; JSON renderings redact it (see `DatabaseConfig`).
public enum SourceEvent: EventCategoryCodable {
    case added(SourceConfig)
    case updated(SourceConfig)
    case removed(SourceID)

    public var caseTag: UInt8 {
        switch self {
        case .added: 1
        case .updated: 2
        case .removed: 3
        }
    }

    public var caseName: String {
        switch self {
        case .added: "added"
        case .updated: "updated"
        case .removed: "removed"
        }
    }

    public var sourceID: SourceID {
        switch self {
        case .added(let c), .updated(let c): c.sourceID
        case .removed(let id): id
        }
    }

    public var subjects: [EventSubject] { [.source(self.sourceID.rawValue)] }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .added(let c), .updated(let c): writer.write(c)
        case .removed(let id): writer.write(id)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        switch caseTag {
        case 1: self = .added(try reader.read())
        case 2: self = .updated(try reader.read())
        case 3: self = .removed(try reader.read())
        default: throw BinaryDecodingError(.invalidValue, at: reader.offset, "unknown source event tag \(caseTag)")
        }
    }
}
