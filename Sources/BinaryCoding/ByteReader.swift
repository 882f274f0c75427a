/// Reads values written by `ByteWriter`, with bounds checks that throw instead of trapping.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { self.bytes.count - self.offset }
    public var isAtEnd: Bool { self.offset >= self.bytes.count }

    public mutating func readByte() throws(BinaryDecodingError) -> UInt8 {
        guard self.offset < self.bytes.count else {
            throw BinaryDecodingError(.truncated, at: self.offset, "expected 1 more byte")
        }
        defer { self.offset += 1 }
        return self.bytes[self.offset]
    }

    public mutating func readBool() throws(BinaryDecodingError) -> Bool {
        let at = self.offset
        switch try self.readByte() {
        case 0: return false
        case 1: return true
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "bool byte \(other)")
        }
    }

    public mutating func readVarUInt() throws(BinaryDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = self.offset
        while true {
            guard self.offset < self.bytes.count else {
                throw BinaryDecodingError(.truncated, at: start, "varint runs past the end")
            }
            let byte = self.bytes[self.offset]
            self.offset += 1
            guard shift < 64 else {
                throw BinaryDecodingError(.invalidValue, at: start, "varint longer than 10 bytes")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    public mutating func readVarInt() throws(BinaryDecodingError) -> Int64 {
        let raw = try self.readVarUInt()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readInt() throws(BinaryDecodingError) -> Int {
        let at = self.offset
        let v = try self.readVarInt()
        guard let i = Int(exactly: v) else {
            throw BinaryDecodingError(.invalidValue, at: at, "integer \(v) out of range")
        }
        return i
    }

    public mutating func readFixedUInt64() throws(BinaryDecodingError) -> UInt64 {
        guard self.remaining >= 8 else {
            throw BinaryDecodingError(.truncated, at: self.offset, "expected 8 bytes")
        }
        var v: UInt64 = 0
        for i in 0..<8 { v = (v << 8) | UInt64(self.bytes[self.offset + i]) }
        self.offset += 8
        return v
    }

    public mutating func readDouble() throws(BinaryDecodingError) -> Double {
        Double(bitPattern: try self.readFixedUInt64())
    }

    /// Reads a length prefix and checks that that many bytes remain, so a corrupt length
    /// cannot make a decoder allocate gigabytes.
    public mutating func readLength() throws(BinaryDecodingError) -> Int {
        let at = self.offset
        let n = try self.readVarUInt()
        guard n <= UInt64(self.remaining) else {
            throw BinaryDecodingError(.truncated, at: at, "length \(n) exceeds the \(self.remaining) bytes left")
        }
        return Int(n)
    }

    public mutating func readString() throws(BinaryDecodingError) -> String {
        let n = try self.readLength()
        let start = self.offset
        self.offset += n
        return String(decoding: self.bytes[start..<(start + n)], as: UTF8.self)
    }

    public mutating func readBytes() throws(BinaryDecodingError) -> [UInt8] {
        let n = try self.readLength()
        let start = self.offset
        self.offset += n
        return Array(self.bytes[start..<(start + n)])
    }

    public mutating func readRaw(count: Int) throws(BinaryDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= self.remaining else {
            throw BinaryDecodingError(.truncated, at: self.offset, "expected \(count) bytes")
        }
        defer { self.offset += count }
        return self.bytes[self.offset..<(self.offset + count)]
    }

    public mutating func read<T: BinaryDecodable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> T {
        try T(from: &self)
    }

    public mutating func readOptional<T: BinaryDecodable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> T? {
        try self.readBool() ? try T(from: &self) : nil
    }

    public mutating func readArray<T: BinaryDecodable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> [T] {
        // Every element takes at least one byte, so the count is bounded by what remains.
        let n = try self.readLength()
        var result: [T] = []
        result.reserveCapacity(n)
        for _ in 0..<n { result.append(try T(from: &self)) }
        return result
    }

    public mutating func readDictionary<K: BinaryDecodable & Hashable, V: BinaryDecodable>(
        _ key: K.Type = K.self, _ value: V.Type = V.self
    ) throws(BinaryDecodingError) -> [K: V] {
        let n = try self.readLength()
        var result: [K: V] = [:]
        result.reserveCapacity(n)
        for _ in 0..<n {
            let k = try K(from: &self)
            result[k] = try V(from: &self)
        }
        return result
    }

    public mutating func readSet<T: BinaryDecodable & Hashable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> Set<T> {
        let n = try self.readLength()
        var result = Set<T>(minimumCapacity: n)
        for _ in 0..<n { result.insert(try T(from: &self)) }
        return result
    }

    /// Throws unless every byte was consumed; a decoder that stops early has misread the layout.
    public func expectEnd() throws(BinaryDecodingError) {
        guard self.isAtEnd else {
            throw BinaryDecodingError(.trailingBytes, at: self.offset, "\(self.remaining) bytes left over")
        }
    }
}
