public import BinaryCoding

/// Leadership of the master cluster. In HA mode a new leader's first fenced append is
/// `elected`, like Raft's no-op entry: it proves the fence works, and it marks in the audit trail
/// where each term begins.
public enum LeaderEvent: EventCategoryCodable {
    /// `member` won the election with `term` (the create revision of its etcd election key, or the
    /// embedded log's term) and took over at `at`, Unix milliseconds of its clock.
    case elected(term: UInt64, member: String, at: Int64)

    public var caseTag: UInt8 {
        switch self {
        case .elected: 1
        }
    }

    public var caseName: String {
        switch self {
        case .elected: "elected"
        }
    }

    public var subjects: [EventSubject] {
        switch self {
        case .elected: []
        }
    }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .elected(let term, let member, let at):
            writer.writeVarUInt(term)
            writer.writeString(member)
            writer.writeVarInt(at)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        let offset = reader.offset
        switch caseTag {
        case 1:
            self = .elected(term: try reader.readVarUInt(), member: try reader.readString(), at: try reader.readVarInt())
        default: throw BinaryDecodingError(.invalidValue, at: offset, "unknown leader event tag \(caseTag)")
        }
    }
}
