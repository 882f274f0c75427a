/// A bounds-checked cursor over bytes: every read returns nil instead of trapping when the input
/// is too short, so malformed events become decode errors.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { self.offset >= self.bytes.count }

    mutating func byte() -> UInt8? {
        guard self.offset < self.bytes.count else { return nil }
        defer { self.offset += 1 }
        return self.bytes[self.offset]
    }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= self.bytes.count - self.offset else { return nil }
        defer { self.offset += count }
        return Array(self.bytes[self.offset..<self.offset + count])
    }

    /// Little-endian unsigned integer of `count` (1...8) bytes.
    mutating func littleEndian(_ count: Int) -> UInt64? {
        guard count <= self.bytes.count - self.offset else { return nil }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(self.bytes[self.offset + index]) << (8 * index) }
        self.offset += count
        return value
    }

    /// The protocol's length-encoded integer (1, 3, 4 or 9 bytes); nil for NULL (0xFB), 0xFF or truncation.
    mutating func lengthEncoded() -> UInt64? {
        guard let first = self.byte() else { return nil }
        switch first {
        case 0..<0xFB: return UInt64(first)
        case 0xFC: return self.littleEndian(2)
        case 0xFD: return self.littleEndian(3)
        case 0xFE: return self.littleEndian(8)
        default: return nil
        }
    }
}
