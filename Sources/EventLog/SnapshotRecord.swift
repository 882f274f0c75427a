/// A projection snapshot: the encoded state after applying every record up to `sequence`.
/// The log stores it opaquely, framed with a format version and a CRC.
public struct SnapshotRecord: Sendable, Hashable {
    public var sequence: UInt64
    /// The projection's own format version, so a reader can refuse a snapshot it cannot decode
    /// and fall back to a full fold.
    public var version: UInt32
    public var state: [UInt8]

    public init(sequence: UInt64, version: UInt32, state: [UInt8]) {
        self.sequence = sequence
        self.version = version
        self.state = state
    }

    func encodedValue() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(self.state.count + 8)
        appendBigEndian(self.version, to: &out)
        out.append(contentsOf: self.state)
        appendBigEndian(CRC32C.checksum(out), to: &out)
        return out
    }

    init(sequence: UInt64, value: UnsafeRawBufferPointer) throws(EventLogError) {
        guard value.count >= 8 else {
            throw EventLogError(.corruptRecord, "snapshot of \(value.count) bytes", sequence: sequence)
        }
        let body = UnsafeRawBufferPointer(rebasing: value[0..<(value.count - 4)])
        let stored = UInt32(bigEndian: value.loadUnaligned(fromByteOffset: value.count - 4, as: UInt32.self))
        guard CRC32C.checksum(body) == stored else {
            throw EventLogError(.corruptRecord, "snapshot checksum mismatch", sequence: sequence)
        }
        self.sequence = sequence
        self.version = UInt32(bigEndian: value.loadUnaligned(as: UInt32.self))
        self.state = Array(UnsafeRawBufferPointer(rebasing: body[4...]))
    }
}
