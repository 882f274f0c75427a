/// Appends values in Braid's compact binary format.
///
/// Integers are LEB128 varints (signed ones zig-zag encoded) because most ids, lengths and
/// positions are small; strings and byte arrays are length-prefixed. There is no field naming:
/// the layout is the order of `encode(to:)` calls, so every type that changes its layout must
/// bump the record version (see `Event.codecVersion`).
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 64) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    public mutating func writeByte(_ value: UInt8) {
        self.bytes.append(value)
    }

    public mutating func writeBool(_ value: Bool) {
        self.bytes.append(value ? 1 : 0)
    }

    public mutating func writeVarUInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        self.bytes.append(UInt8(v))
    }

    public mutating func writeVarInt(_ value: Int64) {
        self.writeVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func writeInt(_ value: Int) {
        self.writeVarInt(Int64(value))
    }

    /// Eight bytes, big-endian; for values that are usually large (hashes, timestamps in ns).
    public mutating func writeFixedUInt64(_ value: UInt64) {
        var be = value.bigEndian
        withUnsafeBytes(of: &be) { self.bytes.append(contentsOf: $0) }
    }

    public mutating func writeDouble(_ value: Double) {
        self.writeFixedUInt64(value.bitPattern)
    }

    public mutating func writeString(_ value: String) {
        var s = value
        s.withUTF8 { utf8 in
            self.writeVarUInt(UInt64(utf8.count))
            self.bytes.append(contentsOf: utf8)
        }
    }

    public mutating func writeBytes(_ value: some Collection<UInt8>) {
        self.writeVarUInt(UInt64(value.count))
        self.bytes.append(contentsOf: value)
    }

    /// Appends raw bytes with no length prefix (framing is the caller's job).
    public mutating func writeRaw(_ value: some Sequence<UInt8>) {
        self.bytes.append(contentsOf: value)
    }

    public mutating func write<T: BinaryEncodable>(_ value: T) {
        value.encode(to: &self)
    }

    public mutating func writeOptional<T: BinaryEncodable>(_ value: T?) {
        if let value {
            self.writeByte(1)
            value.encode(to: &self)
        } else {
            self.writeByte(0)
        }
    }

    public mutating func writeArray<T: BinaryEncodable>(_ values: [T]) {
        self.writeVarUInt(UInt64(values.count))
        for value in values { value.encode(to: &self) }
    }

    /// Writes a dictionary in key order so that equal dictionaries encode to equal bytes
    /// (snapshots are checksummed and compared byte for byte).
    public mutating func writeDictionary<K: BinaryEncodable & Comparable, V: BinaryEncodable>(_ values: [K: V]) {
        self.writeVarUInt(UInt64(values.count))
        for key in values.keys.sorted() {
            key.encode(to: &self)
            values[key]!.encode(to: &self)
        }
    }

    /// Writes a set in sorted order, for the same reason as `writeDictionary`.
    public mutating func writeSet<T: BinaryEncodable & Comparable>(_ values: Set<T>) {
        self.writeVarUInt(UInt64(values.count))
        for value in values.sorted() { value.encode(to: &self) }
    }
}
