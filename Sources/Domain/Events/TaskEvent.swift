public import BinaryCoding

/// Placeholder until the task vocabulary lands.
public enum TaskEvent: EventCategoryCodable {
    case placeholder(String)

    public var caseTag: UInt8 {
        switch self {
        case .placeholder: 1
        }
    }

    public var caseName: String {
        switch self {
        case .placeholder: "placeholder"
        }
    }

    public var subjects: [EventSubject] { [] }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .placeholder(let s): writer.writeString(s)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        switch caseTag {
        case 1: self = .placeholder(try reader.readString())
        default: throw BinaryDecodingError(.invalidValue, at: reader.offset, "unknown task event tag \(caseTag)")
        }
    }
}
