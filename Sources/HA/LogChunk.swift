import Etcd
import EventLog
import Foundation

/// One group commit as stored in etcd under `log/c/<firstSequence>`: the batch's records in one
/// value, so an append is one key whatever its size (etcd allows 128 operations per txn).
///
/// Layout, big-endian: `"BRC1" firstSequence(8) term(8) batchID(8) count(4)`, then per record
/// `timestamp(8) typeTag(2) length(4) payload`, then a CRC32C of everything before it.
public struct LogChunk: Sendable, Hashable {
    public var firstSequence: UInt64
    public var term: UInt64
    /// Random per append, so an ambiguous append can tell its own chunk from another's.
    public var batchID: UInt64
    public var entries: [LogEntry]

    public init(firstSequence: UInt64, term: UInt64, batchID: UInt64, entries: [LogEntry]) {
        self.firstSequence = firstSequence
        self.term = term
        self.batchID = batchID
        self.entries = entries
    }

    public var lastSequence: UInt64 { self.firstSequence + UInt64(self.entries.count) - 1 }

    static let magic: [UInt8] = Array("BRC1".utf8)

    public func encoded() -> [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(32 + self.entries.reduce(0) { $0 + 14 + $1.payload.count })
        Self.put(self.firstSequence, &bytes)
        Self.put(self.term, &bytes)
        Self.put(self.batchID, &bytes)
        Self.put(UInt32(self.entries.count), &bytes)
        for entry in self.entries {
            Self.put(UInt64(bitPattern: entry.timestamp), &bytes)
            Self.put(entry.typeTag, &bytes)
            Self.put(UInt32(entry.payload.count), &bytes)
            bytes.append(contentsOf: entry.payload)
        }
        Self.put(CRC32C.checksum(bytes), &bytes)
        return bytes
    }

    public init(decoding bytes: [UInt8], key: String) throws(EventLogError) {
        func corrupt(_ why: String) -> EventLogError { EventLogError(.corruptRecord, "etcd chunk \(key): \(why)") }
        guard bytes.count >= 36, Array(bytes[0..<4]) == Self.magic else { throw corrupt("not a Braid chunk") }
        let body = bytes[..<(bytes.count - 4)]
        let stored: UInt32 = Self.get(bytes, at: bytes.count - 4)
        guard body.withUnsafeBytes({ CRC32C.checksum($0) }) == stored else { throw corrupt("checksum mismatch") }
        var at = 4
        func next<T: FixedWidthInteger>(_: T.Type) throws(EventLogError) -> T {
            guard at + MemoryLayout<T>.size <= body.count else { throw corrupt("truncated") }
            defer { at += MemoryLayout<T>.size }
            return Self.get(bytes, at: at)
        }
        self.firstSequence = try next(UInt64.self)
        self.term = try next(UInt64.self)
        self.batchID = try next(UInt64.self)
        let count = try next(UInt32.self)
        var entries: [LogEntry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            let timestamp = Int64(bitPattern: try next(UInt64.self))
            let tag = try next(UInt16.self)
            let length = Int(try next(UInt32.self))
            guard at + length <= body.count else { throw corrupt("truncated payload") }
            entries.append(LogEntry(typeTag: tag, payload: Array(bytes[at..<(at + length)]), timestamp: timestamp))
            at += length
        }
        guard at == body.count, !entries.isEmpty else { throw corrupt("bad framing") }
        self.entries = entries
    }

    static func put<T: FixedWidthInteger>(_ value: T, _ bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    static func get<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value = value << 8 | T(bytes[offset + i]) }
        return value
    }
}

/// `log/head`: the last appended sequence, its term, the chunk that holds it and that chunk's batch.
public struct LogHead: Codable, Sendable, Hashable {
    public var lastSequence: UInt64
    public var term: UInt64
    public var batchID: UInt64

    /// The head stored in `kv` (nil when the key is absent or unreadable: an empty log).
    static func decode(_ kv: EtcdKeyValue?) -> LogHead? {
        kv.flatMap { try? JSONDecoder().decode(LogHead.self, from: $0.bytes) }
    }
}
