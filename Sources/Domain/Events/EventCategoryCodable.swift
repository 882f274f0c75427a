public import BinaryCoding

/// What each event category enum implements so `Event` can frame it.
///
/// `caseTag` values are part of the on-disk format: append new cases with new tags, never
/// renumber. `init(caseTag:from:)` must throw `.invalidValue` for an unknown tag.
public protocol EventCategoryCodable: Sendable, Hashable, Codable {
    var caseTag: UInt8 { get }
    var caseName: String { get }
    var subjects: [EventSubject] { get }
    func encodeFields(to writer: inout ByteWriter)
    init(caseTag: UInt8, from reader: inout ByteReader) throws(BinaryDecodingError)
}

/// An id an event concerns, for audit queries.
public enum EventSubject: Sendable, Hashable, Codable, CustomStringConvertible {
    case source(String)
    case worker(String)
    case task(String)
    /// A shard-DDL lock id, ``task-`schema`.`table` ``.
    case lock(String)

    public var description: String {
        switch self {
        case .source(let id): "source \(id)"
        case .worker(let id): "worker \(id)"
        case .task(let id): "task \(id)"
        case .lock(let id): "lock \(id)"
        }
    }
}
