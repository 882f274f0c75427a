/// One entry to append: an opaque payload and its type tag. The log knows no domain types.
public struct LogEntry: Sendable, Hashable {
    public var typeTag: UInt16
    public var payload: [UInt8]
    /// Milliseconds since the Unix epoch, chosen by the appender (the leader's clock) so that
    /// replay never reads a clock.
    public var timestamp: Int64

    public init(typeTag: UInt16, payload: [UInt8], timestamp: Int64) {
        self.typeTag = typeTag
        self.payload = payload
        self.timestamp = timestamp
    }
}

/// A stored record. On disk: key = big-endian sequence; value =
/// `term(8) timestamp(8) typeTag(2) payload(n) crc32c(4)`, all big-endian, where the CRC covers the
/// key and every value byte before it, so a record copied to the wrong key is caught too.
public struct LogRecord: Sendable, Hashable {
    public var sequence: UInt64
    public var term: UInt64
    public var timestamp: Int64
    public var typeTag: UInt16
    public var payload: [UInt8]

    public init(sequence: UInt64, term: UInt64, timestamp: Int64, typeTag: UInt16, payload: [UInt8]) {
        self.sequence = sequence
        self.term = term
        self.timestamp = timestamp
        self.typeTag = typeTag
        self.payload = payload
    }

    static let headerSize = 18
    static let trailerSize = 4

    /// Frames the record for storage.
    func encodedValue() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.headerSize + self.payload.count + Self.trailerSize)
        appendBigEndian(self.term, to: &out)
        appendBigEndian(UInt64(bitPattern: self.timestamp), to: &out)
        out.append(UInt8(self.typeTag >> 8))
        out.append(UInt8(truncatingIfNeeded: self.typeTag))
        out.append(contentsOf: self.payload)
        var keyBE = self.sequence.bigEndian
        var crc = withUnsafeBytes(of: &keyBE) { CRC32C.checksum($0) }
        crc = out.withUnsafeBytes { CRC32C.checksum($0, seed: crc) }
        appendBigEndian(crc, to: &out)
        return out
    }
}

/// A stored record viewed in place: `payload` points into the store's memory and is valid only
/// during the callback that receives it (see `LogStore.forEachRawRecord`).
public struct RawLogRecord {
    public var sequence: UInt64
    public var term: UInt64
    public var timestamp: Int64
    public var typeTag: UInt16
    public var payload: UnsafeRawBufferPointer

    public init(sequence: UInt64, term: UInt64, timestamp: Int64, typeTag: UInt16, payload: UnsafeRawBufferPointer) {
        self.sequence = sequence
        self.term = term
        self.timestamp = timestamp
        self.typeTag = typeTag
        self.payload = payload
    }

    /// Checks a stored value's framing and checksum without copying its payload.
    @inline(__always)
    init(sequence: UInt64, value: UnsafeRawBufferPointer) throws(EventLogError) {
        guard value.count >= LogRecord.headerSize + LogRecord.trailerSize else {
            throw EventLogError(.corruptRecord, "record of \(value.count) bytes is shorter than its framing", sequence: sequence)
        }
        let bodyCount = value.count - LogRecord.trailerSize
        let base = value.baseAddress.unsafelyUnwrapped
        var keyBE = sequence.bigEndian
        var crc = withUnsafeBytes(of: &keyBE) { CRC32C.checksum($0) }
        crc = CRC32C.checksum(UnsafeRawBufferPointer(start: base, count: bodyCount), seed: crc)
        let stored = UInt32(bigEndian: value.loadUnaligned(fromByteOffset: bodyCount, as: UInt32.self))
        guard crc == stored else {
            throw EventLogError(.corruptRecord, "checksum mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(crc, radix: 16))", sequence: sequence)
        }
        self.sequence = sequence
        self.term = UInt64(bigEndian: value.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        self.timestamp = Int64(bitPattern: UInt64(bigEndian: value.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        self.typeTag = UInt16(bigEndian: value.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
        self.payload = UnsafeRawBufferPointer(start: base + LogRecord.headerSize, count: bodyCount - LogRecord.headerSize)
    }
}

extension LogRecord {
    /// Reads a stored record, checking its checksum. `value` points into LMDB memory.
    init(sequence: UInt64, value: UnsafeRawBufferPointer) throws(EventLogError) {
        let raw = try RawLogRecord(sequence: sequence, value: value)
        self.init(sequence: sequence, term: raw.term, timestamp: raw.timestamp, typeTag: raw.typeTag, payload: Array(raw.payload))
    }
}

@inline(__always)
func appendBigEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
    var be = value.bigEndian
    withUnsafeBytes(of: &be) { out.append(contentsOf: $0) }
}

/// `Array.withUnsafeBytes` is `rethrows`, which erases typed errors; this keeps them.
@inline(__always)
func withBytes<T>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(EventLogError) -> T) throws(EventLogError) -> T {
    let result: Result<T, EventLogError> = array.withUnsafeBytes { buffer in
        do throws(EventLogError) {
            return .success(try body(buffer))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}
