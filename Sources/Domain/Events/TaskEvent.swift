public import BinaryCoding

/// The stage the leader wants a subtask in; workers converge their runtime stage to it.
/// `Stopped` is not a stage: a stopped subtask no longer exists (DM deletes its stage key).
public enum ExpectedStage: String, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    case running = "Running"
    case paused = "Paused"

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .running: writer.writeByte(1)
        case .paused: writer.writeByte(2)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self = .running
        case 2: self = .paused
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "expected stage tag \(other)")
        }
    }
}

/// Tasks and their per-source subtasks. A subtask (task, source) runs on whichever worker the
/// source is bound to, so subtasks follow bindings without events of their own.
public enum TaskEvent: EventCategoryCodable {
    /// `start-task`: the task exists with `config` over `sources`; `subtaskScheduled` events follow.
    case started(TaskName, config: TaskConfig, sources: Set<SourceID>)
    /// Expected stage of one subtask (`source`) or of every subtask of the task (`nil`).
    case stageChanged(TaskName, source: SourceID?, stage: ExpectedStage)
    /// Subtask (task, source) exists, expected stage Running.
    case subtaskScheduled(TaskName, source: SourceID)
    /// Subtask (task, source) was stopped and is gone.
    case subtaskRemoved(TaskName, source: SourceID)
    /// The task is gone (after its subtasks were removed).
    case stopped(TaskName)
    /// `binlog skip|replace`: subtask (task, `source`) will apply `operation` at its position,
    /// replacing any operation already set there.
    case binlogOperationSet(TaskName, source: SourceID, operation: BinlogOperation)
    /// `binlog revert`: the operation of subtask (task, `source`) at `position` is gone.
    case binlogOperationRemoved(TaskName, source: SourceID, position: BinlogPosition)
    /// `binlog-schema update|delete`: subtask (task, `source`) tracks `operation`'s table with its schema
    /// from its next start on, replacing any earlier operation on that table.
    case schemaOperationSet(TaskName, source: SourceID, operation: SchemaOperation)

    public var caseTag: UInt8 {
        switch self {
        case .started: 1
        case .stageChanged: 2
        case .subtaskScheduled: 3
        case .subtaskRemoved: 4
        case .stopped: 5
        case .binlogOperationSet: 6
        case .binlogOperationRemoved: 7
        case .schemaOperationSet: 8
        }
    }

    public var caseName: String {
        switch self {
        case .started: "started"
        case .stageChanged: "stageChanged"
        case .subtaskScheduled: "subtaskScheduled"
        case .subtaskRemoved: "subtaskRemoved"
        case .stopped: "stopped"
        case .binlogOperationSet: "binlogOperationSet"
        case .binlogOperationRemoved: "binlogOperationRemoved"
        case .schemaOperationSet: "schemaOperationSet"
        }
    }

    public var task: TaskName {
        switch self {
        case .started(let t, _, _), .stageChanged(let t, _, _), .subtaskScheduled(let t, _), .subtaskRemoved(let t, _),
            .stopped(let t), .binlogOperationSet(let t, _, _), .binlogOperationRemoved(let t, _, _),
            .schemaOperationSet(let t, _, _):
            t
        }
    }

    public var subjects: [EventSubject] {
        switch self {
        case .started(let t, _, let sources): [.task(t.rawValue)] + sources.sorted().map { .source($0.rawValue) }
        case .stageChanged(let t, let source, _): [.task(t.rawValue)] + (source.map { [.source($0.rawValue)] } ?? [])
        case .subtaskScheduled(let t, let s), .subtaskRemoved(let t, let s), .binlogOperationSet(let t, let s, _),
            .binlogOperationRemoved(let t, let s, _), .schemaOperationSet(let t, let s, _):
            [.task(t.rawValue), .source(s.rawValue)]
        case .stopped(let t): [.task(t.rawValue)]
        }
    }

    public func encodeFields(to writer: inout ByteWriter) {
        writer.write(self.task)
        switch self {
        case .started(_, let config, let sources):
            writer.write(config)
            writer.writeSet(sources)
        case .stageChanged(_, let source, let stage):
            writer.writeOptional(source)
            writer.write(stage)
        case .subtaskScheduled(_, let source), .subtaskRemoved(_, let source):
            writer.write(source)
        case .stopped:
            break
        case .binlogOperationSet(_, let source, let operation):
            writer.write(source)
            writer.write(operation)
        case .binlogOperationRemoved(_, let source, let position):
            writer.write(source)
            writer.write(position)
        case .schemaOperationSet(_, let source, let operation):
            writer.write(source)
            writer.write(operation)
        }
    }

    public init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch caseTag {
        case 1: self = .started(try reader.read(), config: try reader.read(), sources: try reader.readSet())
        case 2: self = .stageChanged(try reader.read(), source: try reader.readOptional(), stage: try reader.read())
        case 3: self = .subtaskScheduled(try reader.read(), source: try reader.read())
        case 4: self = .subtaskRemoved(try reader.read(), source: try reader.read())
        case 5: self = .stopped(try reader.read())
        case 6: self = .binlogOperationSet(try reader.read(), source: try reader.read(), operation: try reader.read())
        case 7: self = .binlogOperationRemoved(try reader.read(), source: try reader.read(), position: try reader.read())
        case 8: self = .schemaOperationSet(try reader.read(), source: try reader.read(), operation: try reader.read())
        default: throw BinaryDecodingError(.invalidValue, at: at, "unknown task event tag \(caseTag)")
        }
    }
}
