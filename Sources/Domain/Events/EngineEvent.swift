public import BinaryCoding

/// Facts about the cluster engine itself. A reaction (one concern answering another's event, e.g.
/// a source leaving a task releasing its lock parts) that its decider refuses does not fail the
/// command that caused it, but it is recorded instead of vanishing, so `braid log` and audits show it.
public enum EngineEvent: EventCategoryCodable {
    /// `concern`'s decider refused the reaction `reaction` (a command name) with `reason`.
    case reactionRefused(concern: String, reaction: String, reason: String)

    public var caseTag: UInt8 {
        switch self {
        case .reactionRefused: 1
        }
    }

    public var caseName: String {
        switch self {
        case .reactionRefused: "reactionRefused"
        }
    }

    public var subjects: [EventSubject] {
        switch self {
        case .reactionRefused: []
        }
    }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .reactionRefused(let concern, let reaction, let reason):
            writer.writeString(concern)
            writer.writeString(reaction)
            writer.writeString(reason)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        let offset = reader.offset
        switch caseTag {
        case 1:
            self = .reactionRefused(concern: try reader.readString(), reaction: try reader.readString(), reason: try reader.readString())
        default: throw BinaryDecodingError(.invalidValue, at: offset, "unknown engine event tag \(caseTag)")
        }
    }
}
