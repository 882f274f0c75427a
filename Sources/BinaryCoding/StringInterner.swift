/// A bounded table of strings already decoded, so that the same bytes decode to one shared `String`
/// instead of a fresh allocation (plus UTF-8 validation) each time.
///
/// A rebuild decodes the same source ids, lock ids, table names and DDLs over and over; interning
/// makes them a hash lookup and shares their storage in the folded state. Short strings (15 UTF-8
/// bytes or fewer are stored inline by `String`) and long ones are decoded directly. Once the table
/// is full it stops growing and later strings are decoded directly, so memory stays bounded.
///
/// Not thread-safe: use one interner per decoding thread.
public final class StringInterner: @unchecked Sendable {
    public let maxEntries: Int
    public let maxLength: Int
    /// One stored property, so a lookup makes one exclusivity-checked access instead of one per array.
    private var table: Table
    /// Recently decoded composite values by type, with the bytes they were decoded from.
    @usableFromInline var memos: [ObjectIdentifier: AnyObject] = [:]
    public static let memoEntries = 4
    public static let maxMemoBytes = 4096

    public init(maxEntries: Int = 1 << 15, maxLength: Int = 256) {
        self.maxEntries = maxEntries
        self.maxLength = maxLength
        self.table = Table()
    }

    public var count: Int { self.table.strings.count }

    /// The string whose UTF-8 (possibly invalid, which is repaired as `String(decoding:as:)` does) is `utf8`.
    public func string(_ utf8: UnsafeRawBufferPointer) -> String {
        let n = utf8.count
        guard n > 15, n <= self.maxLength else {
            return String(decoding: utf8.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
        }
        return self.table.intern(utf8, limit: self.maxEntries)
    }

    /// A value of type `T` decoded earlier from exactly the bytes at `start` (when `available` bytes
    /// remain); `length` is set to how many bytes it spans. Decoding is a pure function of the
    /// bytes, so the recalled value equals what decoding them again would give.
    @inlinable
    func recall<T>(_ type: T.Type, at start: UnsafeRawPointer, available: Int, length: inout Int) -> T? {
        guard let object = self.memos[ObjectIdentifier(type)] else { return nil }
        let memo = unsafeDowncast(object, to: Memo<T>.self)
        for i in memo.bytes.indices {
            let n = memo.bytes[i].count
            guard n <= available else { continue }
            let same = memo.bytes[i].withUnsafeBytes { bytesEqual($0.baseAddress.unsafelyUnwrapped, start, n) }
            if same {
                length = n
                return memo.values[i]
            }
        }
        return nil
    }

    @inlinable
    func remember<T>(_ value: T, bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= Self.maxMemoBytes else { return }
        let key = ObjectIdentifier(T.self)
        let memo: Memo<T>
        if let existing = self.memos[key] {
            memo = unsafeDowncast(existing, to: Memo<T>.self)
        } else {
            memo = Memo<T>()
            self.memos[key] = memo
        }
        memo.remember(value, bytes: bytes)
    }

    /// The last few values of one type, with the bytes each was decoded from.
    @usableFromInline
    final class Memo<T> {
        @usableFromInline var bytes: [[UInt8]] = []
        @usableFromInline var values: [T] = []
        @usableFromInline var next = 0

        @usableFromInline init() {}

        @usableFromInline
        func remember(_ value: T, bytes: UnsafeRawBufferPointer) {
            if self.bytes.count < StringInterner.memoEntries {
                self.bytes.append(Array(bytes))
                self.values.append(value)
            } else {
                self.bytes[self.next] = Array(bytes)
                self.values[self.next] = value
                self.next = (self.next + 1) % StringInterner.memoEntries
            }
        }
    }

    struct Table {
        var slots: [Int32] = Array(repeating: -1, count: 1024)
        var mask = 1023
        var hashes: [UInt64] = []
        var strings: [String] = []
        var starts: [Int] = []
        var lengths: [Int] = []
        var arena: [UInt8] = []

        mutating func intern(_ utf8: UnsafeRawBufferPointer, limit: Int) -> String {
            let n = utf8.count
            let h = StringInterner.hash(utf8)
            var i = Int(truncatingIfNeeded: h) & self.mask
            while true {
                let e = Int(self.slots[i])
                if e < 0 { break }
                if self.hashes[e] == h, self.lengths[e] == n {
                    let start = self.starts[e]
                    let same = self.arena.withUnsafeBytes { arena in
                        bytesEqual(arena.baseAddress.unsafelyUnwrapped + start, utf8.baseAddress.unsafelyUnwrapped, n)
                    }
                    if same { return self.strings[e] }
                }
                i = (i &+ 1) & self.mask
            }
            let s = String(decoding: utf8.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
            guard self.strings.count < limit else { return s }
            let e = self.strings.count
            self.slots[i] = Int32(e)
            self.hashes.append(h)
            self.strings.append(s)
            self.starts.append(self.arena.count)
            self.lengths.append(n)
            self.arena.append(contentsOf: utf8)
            if self.strings.count * 2 > self.slots.count { self.grow() }
            return s
        }

        mutating func grow() {
            let size = self.slots.count * 2
            self.slots = Array(repeating: -1, count: size)
            self.mask = size - 1
            for e in 0..<self.strings.count {
                var i = Int(truncatingIfNeeded: self.hashes[e]) & self.mask
                while self.slots[i] >= 0 { i = (i &+ 1) & self.mask }
                self.slots[i] = Int32(e)
            }
        }
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        let p = bytes.baseAddress.unsafelyUnwrapped
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        while i &+ 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i &+= 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &<< shift
                shift &+= 8
                i &+= 1
            }
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        return h
    }
}

@inlinable @inline(__always)
func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i &+ 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i &+= 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i &+= 1
    }
    return true
}
