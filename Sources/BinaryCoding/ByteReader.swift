/// Reads values written by `ByteWriter`, with bounds checks that throw instead of trapping.
///
/// A reader either owns a byte array or borrows raw memory (`init(unsafeBytes:)`, e.g. an LMDB
/// value inside its read transaction). Every read checks the remaining length once and then
/// loads through an unsafe pointer, so the hot paths carry no per-byte bounds checks.
///
/// Everything is `@inlinable` so that decoders in other modules are specialized: an unspecialized
/// `readArray<T>` goes through witness tables for every element.
public struct ByteReader: @unchecked Sendable {
    /// Owns the memory behind `base` when the reader was made from an array; nil when it borrows.
    @usableFromInline let owner: OwnedBytes?
    @usableFromInline let base: UnsafeRawPointer?
    @usableFromInline let count: Int
    @usableFromInline var cursor: Int
    /// Where the next read starts.
    @inlinable public var offset: Int { self.cursor }
    /// When set, strings are looked up in (and added to) this table instead of allocated anew.
    public var interner: StringInterner?

    /// A reader over a copy of `bytes`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        let owner = OwnedBytes(bytes)
        self.owner = owner
        self.base = UnsafeRawPointer(owner.pointer)
        self.count = bytes.count
        self.cursor = offset
        self.interner = nil
    }

    /// A reader over memory the caller keeps valid and unchanged for as long as the reader is used.
    @inlinable
    public init(unsafeBytes bytes: UnsafeRawBufferPointer, offset: Int = 0, interner: StringInterner? = nil) {
        self.owner = nil
        self.base = bytes.baseAddress
        self.count = bytes.count
        self.cursor = offset
        self.interner = interner
    }

    /// The bytes being read.
    public var bytes: [UInt8] {
        defer { self.keepOwnerAlive() }
        return Array(self.buffer)
    }

    /// Marks a use of `owner` after a read through `base`, so the optimizer cannot free the
    /// memory an array-backed reader points into while the read is under way.
    @inlinable @inline(__always)
    func keepOwnerAlive() { withExtendedLifetime(self.owner) {} }

    @inlinable public var remaining: Int { self.count - self.cursor }
    @inlinable public var isAtEnd: Bool { self.cursor >= self.count }

    /// All the bytes. Callers check bounds against `count` before touching them.
    @inlinable
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: self.base, count: self.count) }

    @inlinable
    public mutating func readByte() throws(BinaryDecodingError) -> UInt8 {
        defer { self.keepOwnerAlive() }
        guard self.offset < self.count else {
            throw BinaryDecodingError(.truncated, at: self.offset, "expected 1 more byte")
        }
        let at = self.offset
        self.cursor = at &+ 1
        return self.base.unsafelyUnwrapped.load(fromByteOffset: at, as: UInt8.self)
    }

    @inlinable
    public mutating func readBool() throws(BinaryDecodingError) -> Bool {
        let at = self.offset
        switch try self.readByte() {
        case 0: return false
        case 1: return true
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "bool byte \(other)")
        }
    }

    @inlinable
    public mutating func readVarUInt() throws(BinaryDecodingError) -> UInt64 {
        defer { self.keepOwnerAlive() }
        let start = self.offset
        let available = self.count - start
        // (value, bytes consumed); consumed 0 = runs past the end, -1 = longer than 10 bytes.
        let (value, used) = { () -> (UInt64, Int) in
            guard available > 0 else { return (0, 0) }
            let p = self.base.unsafelyUnwrapped + start
            let first = p.load(as: UInt8.self)
            if first < 0x80 { return (UInt64(first), 1) }
            var result = UInt64(first & 0x7F)
            var shift: UInt64 = 7
            var i = 1
            while true {
                guard i < available else { return (0, 0) }
                guard i < 10 else { return (0, -1) }
                let byte = p.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                result |= UInt64(byte & 0x7F) &<< shift
                if byte & 0x80 == 0 { return (result, i) }
                shift &+= 7
            }
        }()
        guard used > 0 else {
            if used == 0 { throw BinaryDecodingError(.truncated, at: start, "varint runs past the end") }
            throw BinaryDecodingError(.invalidValue, at: start, "varint longer than 10 bytes")
        }
        self.cursor = start &+ used
        return value
    }

    @inlinable
    public mutating func readVarInt() throws(BinaryDecodingError) -> Int64 {
        let raw = try self.readVarUInt()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable
    public mutating func readInt() throws(BinaryDecodingError) -> Int {
        let at = self.offset
        let v = try self.readVarInt()
        guard let i = Int(exactly: v) else {
            throw BinaryDecodingError(.invalidValue, at: at, "integer \(v) out of range")
        }
        return i
    }

    @inlinable
    public mutating func readFixedUInt64() throws(BinaryDecodingError) -> UInt64 {
        defer { self.keepOwnerAlive() }
        guard self.remaining >= 8 else {
            throw BinaryDecodingError(.truncated, at: self.offset, "expected 8 bytes")
        }
        let at = self.offset
        self.cursor = at &+ 8
        return UInt64(bigEndian: self.base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    @inlinable
    public mutating func readDouble() throws(BinaryDecodingError) -> Double {
        Double(bitPattern: try self.readFixedUInt64())
    }

    /// Reads a length prefix and checks that that many bytes remain, so a corrupt length
    /// cannot make a decoder allocate gigabytes.
    @inlinable
    public mutating func readLength() throws(BinaryDecodingError) -> Int {
        let at = self.offset
        let n = try self.readVarUInt()
        guard n <= UInt64(self.remaining) else {
            throw BinaryDecodingError(.truncated, at: at, "length \(n) exceeds the \(self.remaining) bytes left")
        }
        return Int(truncatingIfNeeded: n)
    }

    @inlinable
    public mutating func readString() throws(BinaryDecodingError) -> String {
        defer { self.keepOwnerAlive() }
        let n = try self.readLength()
        let start = self.offset
        self.cursor = start &+ n
        if n == 0 { return "" }
        let utf8 = UnsafeRawBufferPointer(start: self.base.unsafelyUnwrapped + start, count: n)
        if let interner = self.interner { return interner.string(utf8) }
        return String(decoding: utf8.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    @inlinable
    public mutating func readBytes() throws(BinaryDecodingError) -> [UInt8] {
        defer { self.keepOwnerAlive() }
        let n = try self.readLength()
        let start = self.offset
        self.cursor = start &+ n
        return Array(UnsafeRawBufferPointer(rebasing: self.buffer[start..<(start + n)]))
    }

    @inlinable
    public mutating func readRaw(count: Int) throws(BinaryDecodingError) -> ArraySlice<UInt8> {
        defer { self.keepOwnerAlive() }
        guard count >= 0, count <= self.remaining else {
            throw BinaryDecodingError(.truncated, at: self.offset, "expected \(count) bytes")
        }
        let start = self.offset
        self.cursor = start &+ count
        return ArraySlice(UnsafeRawBufferPointer(rebasing: self.buffer[start..<(start + count)]))
    }

    @inlinable
    public mutating func read<T: BinaryDecodable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> T {
        try T(from: &self)
    }

    @inlinable
    public mutating func readOptional<T: BinaryDecodable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> T? {
        try self.readBool() ? try T(from: &self) : nil
    }

    @inlinable
    public mutating func readArray<T: BinaryDecodable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> [T] {
        // Every element takes at least one byte, so the count is bounded by what remains.
        let n = try self.readLength()
        var result: [T] = []
        result.reserveCapacity(n)
        for _ in 0..<n { result.append(try T(from: &self)) }
        return result
    }

    @inlinable
    public mutating func readDictionary<K: BinaryDecodable & Hashable, V: BinaryDecodable>(
        _ key: K.Type = K.self, _ value: V.Type = V.self
    ) throws(BinaryDecodingError) -> [K: V] {
        let start = self.cursor
        let n = try self.readLength()
        guard n >= 4, self.interner != nil else { return try self.readDictionaryElements(n) }
        self.cursor = start
        return try self.readMemoized([K: V].self) { (r: inout ByteReader) throws(BinaryDecodingError) -> [K: V] in
            try r.readDictionaryElements(try r.readLength())
        }
    }

    @inlinable
    mutating func readDictionaryElements<K: BinaryDecodable & Hashable, V: BinaryDecodable>(_ n: Int) throws(BinaryDecodingError) -> [K: V] {
        var result: [K: V] = [:]
        result.reserveCapacity(n)
        for _ in 0..<n {
            let k = try K(from: &self)
            result[k] = try V(from: &self)
        }
        return result
    }

    @inlinable
    public mutating func readSet<T: BinaryDecodable & Hashable>(_ type: T.Type = T.self) throws(BinaryDecodingError) -> Set<T> {
        let start = self.cursor
        let n = try self.readLength()
        guard n >= 4, self.interner != nil else { return try self.readSetElements(n) }
        self.cursor = start
        return try self.readMemoized(Set<T>.self) { (r: inout ByteReader) throws(BinaryDecodingError) -> Set<T> in
            try r.readSetElements(try r.readLength())
        }
    }

    @inlinable
    mutating func readSetElements<T: BinaryDecodable & Hashable>(_ n: Int) throws(BinaryDecodingError) -> Set<T> {
        var result = Set<T>(minimumCapacity: n)
        for _ in 0..<n { result.insert(try T(from: &self)) }
        return result
    }

    /// Throws unless every byte was consumed; a decoder that stops early has misread the layout.
    @inlinable
    public func expectEnd() throws(BinaryDecodingError) {
        guard self.isAtEnd else {
            throw BinaryDecodingError(.trailingBytes, at: self.offset, "\(self.remaining) bytes left over")
        }
    }
}

/// A private copy of the bytes an array-backed reader reads, so every read goes through one pointer.
@usableFromInline
final class OwnedBytes: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutableRawPointer

    init(_ bytes: [UInt8]) {
        self.pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { self.pointer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(self.pointer), byteCount: $0.count) }
    }

    deinit { self.pointer.deallocate() }
}

extension ByteReader {
    /// Reads a length-prefixed string's UTF-8 without making a `String`; the view is valid as long as
    /// the reader's memory is (use it before the reader goes away).
    @inlinable
    public mutating func readUTF8View() throws(BinaryDecodingError) -> UnsafeRawBufferPointer {
        defer { self.keepOwnerAlive() }
        let n = try self.readLength()
        let start = self.cursor
        self.cursor = start &+ n
        return UnsafeRawBufferPointer(start: n == 0 ? nil : self.base.unsafelyUnwrapped + start, count: n)
    }

    /// Reads a string-backed enum through `table` without allocating the string.
    @inlinable
    public mutating func readRawValue<Value>(_ table: RawValueTable<Value>, _ what: String) throws(BinaryDecodingError) -> Value {
        defer { self.keepOwnerAlive() }
        let at = self.offset
        let utf8 = try self.readUTF8View()
        if let found = table.lookup(utf8) { return found }
        throw BinaryDecodingError(.invalidValue, at: at, "unknown \(what) \(String(decoding: utf8, as: UTF8.self))")
    }
}

extension ByteReader {
    /// Decodes with `decode`, or, when the reader has an interner that recently decoded a `T` from
    /// the very same bytes, returns that value and skips them. For composite values that repeat
    /// verbatim across events (schemas, source sets).
    @inlinable
    public mutating func readMemoized<T>(
        _ type: T.Type = T.self, _ decode: (inout ByteReader) throws(BinaryDecodingError) -> T
    ) throws(BinaryDecodingError) -> T {
        guard let interner = self.interner else { return try decode(&self) }
        defer { self.keepOwnerAlive() }
        let start = self.cursor
        let base = self.base.unsafelyUnwrapped
        var length = 0
        if let value = interner.recall(T.self, at: base + start, available: self.count - start, length: &length) {
            self.cursor = start + length
            return value
        }
        let value = try decode(&self)
        interner.remember(value, bytes: UnsafeRawBufferPointer(start: base + start, count: self.cursor - start))
        return value
    }
}

/// String raw values by their UTF-8, for decoding string-backed enums without a `String` per value.
public struct RawValueTable<Value: Sendable>: Sendable {
    @usableFromInline let keys: [[UInt8]]
    @usableFromInline let values: [Value]

    public init(_ pairs: [(String, Value)]) {
        self.keys = pairs.map { Array($0.0.utf8) }
        self.values = pairs.map(\.1)
    }

    @inlinable
    public func lookup(_ utf8: UnsafeRawBufferPointer) -> Value? {
        let n = utf8.count
        for i in self.keys.indices {
            let key = self.keys[i]
            guard key.count == n else { continue }
            let equal = key.withUnsafeBytes { k in n == 0 || bytesEqual(k.baseAddress.unsafelyUnwrapped, utf8.baseAddress.unsafelyUnwrapped, n) }
            if equal { return self.values[i] }
        }
        return nil
    }
}
