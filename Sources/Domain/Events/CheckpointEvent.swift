public import BinaryCoding

/// Replication progress a worker reported to the leader. The authoritative checkpoint lives in
/// the downstream (written with the rows it covers); these events feed status, audit and lag.
public enum CheckpointEvent: EventCategoryCodable {
    /// Subtask (`task`, `source`) had applied everything up to `position` (and `gtid`, with GTID
    /// enabled) at `at`, Unix milliseconds.
    case reported(task: TaskName, source: SourceID, position: BinlogPosition, gtid: GTIDSet?, at: Int64)

    public var caseTag: UInt8 {
        switch self {
        case .reported: 1
        }
    }

    public var caseName: String {
        switch self {
        case .reported: "reported"
        }
    }

    public var subjects: [EventSubject] {
        switch self {
        case .reported(let task, let source, _, _, _): [.task(task.rawValue), .source(source.rawValue)]
        }
    }

    public func encodeFields(to writer: inout ByteWriter) {
        switch self {
        case .reported(let task, let source, let position, let gtid, let at):
            writer.write(task)
            writer.write(source)
            writer.write(position)
            writer.writeOptional(gtid)
            writer.writeVarInt(at)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        let offset = reader.offset
        switch caseTag {
        case 1:
            self = .reported(
                task: try reader.read(),
                source: try reader.read(),
                position: try reader.read(),
                gtid: try reader.readOptional(),
                at: try reader.readVarInt()
            )
        default: throw BinaryDecodingError(.invalidValue, at: offset, "unknown checkpoint event tag \(caseTag)")
        }
    }
}
