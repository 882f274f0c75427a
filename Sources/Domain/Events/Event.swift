public import BinaryCoding

/// Every fact and decision Braid records. The log stores each as one record whose type tag is
/// `(category << 8) | caseTag` and whose payload is `[codecVersion] + fields`.
///
/// Categories are separate enums so each concern owns its vocabulary; tags are part of the
/// on-disk format and must never be reused or renumbered.
///
/// `indirect`: the category payloads are hundreds of bytes inline (schemas, ids), and events are
/// moved around in batches and arrays; boxed, an `Event` is one pointer to retain.
public indirect enum Event: Sendable, Hashable, Codable {
    case source(SourceEvent)
    case worker(WorkerEvent)
    case binding(BindingEvent)
    case task(TaskEvent)
    case pessimism(PessimismEvent)
    case optimism(OptimismEvent)
    case checkpoint(CheckpointEvent)
    case leader(LeaderEvent)
    case engine(EngineEvent)

    /// Version of the payload layout. A reader refuses payloads with a newer version rather
    /// than misread them.
    public static let codecVersion: UInt8 = 1

    public enum Category: UInt8, Sendable, CaseIterable, Codable {
        case source = 1
        case worker = 2
        case binding = 3
        case task = 4
        case pessimism = 5
        case optimism = 6
        case checkpoint = 7
        case leader = 8
        case engine = 9
    }

    public var category: Category {
        switch self {
        case .source: .source
        case .worker: .worker
        case .binding: .binding
        case .task: .task
        case .pessimism: .pessimism
        case .optimism: .optimism
        case .checkpoint: .checkpoint
        case .leader: .leader
        case .engine: .engine
        }
    }

    /// The category enum carrying this event's fields (for JSON export).
    public var body: any EventCategoryCodable {
        switch self {
        case .source(let e): e
        case .worker(let e): e
        case .binding(let e): e
        case .task(let e): e
        case .pessimism(let e): e
        case .optimism(let e): e
        case .checkpoint(let e): e
        case .leader(let e): e
        case .engine(let e): e
        }
    }

    /// The record type tag: category in the high byte, case in the low byte.
    public var typeTag: UInt16 { UInt16(self.category.rawValue) << 8 | UInt16(self.body.caseTag) }

    /// A stable human name such as `pessimism.infoReported`, used by `braid log` and metrics.
    public var name: String { "\(self.category).\(self.body.caseName)" }

    /// The ids this event concerns; `braid log audit` follows them.
    public var subjects: [EventSubject] { self.body.subjects }

    public func encodePayload(into writer: inout ByteWriter) {
        writer.writeByte(Self.codecVersion)
        self.body.encodeFields(to: &writer)
    }

    public func encodedPayload() -> [UInt8] {
        var writer = ByteWriter(reservingCapacity: 96)
        self.encodePayload(into: &writer)
        return writer.bytes
    }

    /// Decodes a record's payload given its type tag.
    public init(typeTag: UInt16, payload: [UInt8]) throws(BinaryDecodingError) {
        let result: Result<Event, BinaryDecodingError> = payload.withUnsafeBytes { buffer in
            do throws(BinaryDecodingError) {
                return .success(try Event(typeTag: typeTag, unsafePayload: buffer))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Decodes a payload in place (e.g. inside an LMDB read transaction); `payload` need only stay
    /// valid during the call. With an `interner`, repeated strings share one allocation.
    public init(typeTag: UInt16, unsafePayload payload: UnsafeRawBufferPointer, interner: StringInterner? = nil) throws(BinaryDecodingError) {
        var reader = ByteReader(unsafeBytes: payload, interner: interner)
        try self.init(typeTag: typeTag, reader: &reader)
    }

    @inline(__always)
    init(typeTag: UInt16, reader: inout ByteReader) throws(BinaryDecodingError) {
        let version = try reader.readByte()
        guard version >= 1, version <= Self.codecVersion else {
            throw BinaryDecodingError(.unsupportedVersion, at: 0, "codec version \(version), this build reads up to \(Self.codecVersion)")
        }
        let caseTag = UInt8(truncatingIfNeeded: typeTag)
        guard let category = Category(rawValue: UInt8(truncatingIfNeeded: typeTag >> 8)) else {
            throw BinaryDecodingError(.invalidValue, at: 0, "unknown event category in type tag 0x\(String(typeTag, radix: 16))")
        }
        switch category {
        case .source: self = .source(try SourceEvent(caseTag: caseTag, from: &reader))
        case .worker: self = .worker(try WorkerEvent(caseTag: caseTag, from: &reader))
        case .binding: self = .binding(try BindingEvent(caseTag: caseTag, from: &reader))
        case .task: self = .task(try TaskEvent(caseTag: caseTag, from: &reader))
        case .pessimism: self = .pessimism(try PessimismEvent(caseTag: caseTag, from: &reader))
        case .optimism: self = .optimism(try OptimismEvent(caseTag: caseTag, from: &reader))
        case .checkpoint: self = .checkpoint(try CheckpointEvent(caseTag: caseTag, from: &reader))
        case .leader: self = .leader(try LeaderEvent(caseTag: caseTag, from: &reader))
        case .engine: self = .engine(try EngineEvent(caseTag: caseTag, from: &reader))
        }
        try reader.expectEnd()
    }
}
