public import BinaryCoding

/// A file-and-offset binlog coordinate, MySQL's `SHOW MASTER STATUS` pair.
///
/// Positions order by the file's sequence number (the numeric suffix after the last `.`, so
/// `mysql-bin.000010` follows `mysql-bin.000009` even when the suffix width grows) and then by
/// offset. Files without a numeric suffix fall back to plain string order, which keeps the order
/// total (needed for `Comparable`) if a server is misconfigured.
public struct BinlogPosition: Sendable, Hashable, Comparable, Codable, BinaryCodable, CustomStringConvertible {
    /// The binlog file name, e.g. `mysql-bin.000001`.
    public var file: String
    /// The byte offset in `file`. MySQL event headers store it in four bytes.
    public var pos: UInt32

    public init(file: String, pos: UInt32) {
        self.file = file
        self.pos = pos
    }

    /// The start of a binlog file: every file begins with a 4-byte magic number.
    public static let minimumPos: UInt32 = 4

    /// The file's base name (before the last `.`) and numeric suffix, if it has one.
    public var fileSequence: (base: Substring, number: UInt64)? {
        guard let dot = self.file.lastIndex(of: ".") else { return nil }
        let suffix = self.file[self.file.index(after: dot)...]
        guard !suffix.isEmpty, suffix.allSatisfy(\.isASCII), let n = UInt64(suffix) else { return nil }
        return (self.file[..<dot], n)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        // Same file (the common case, compared per row by the sync engine): the offset decides
        // under either ordering below, without parsing the file names.
        if lhs.file == rhs.file { return lhs.pos < rhs.pos }
        if let l = lhs.fileSequence, let r = rhs.fileSequence, l.base == r.base {
            return (l.number, lhs.pos) < (r.number, rhs.pos)
        }
        return (lhs.file, lhs.pos) < (rhs.file, rhs.pos)
    }

    /// DM's log format: `(mysql-bin.000001, 4)`.
    public var description: String { "(\(self.file), \(self.pos))" }

    /// Parses `file:pos` (the form `braid ctl` and logs use) or DM's `(file, pos)`.
    public static func parse(_ text: String) throws(PositionError) -> BinlogPosition {
        var body = Substring(text.trimmingWhitespace())
        let separator: Character
        if body.hasPrefix("("), body.hasSuffix(")") {
            body = body.dropFirst().dropLast()
            separator = ","
        } else {
            separator = ":"
        }
        guard let cut = body.lastIndex(of: separator) else {
            throw PositionError(.malformed, "binlog position \"\(text)\": expected file\(separator)pos")
        }
        let file = String(body[..<cut]).trimmingWhitespace()
        let posText = String(body[body.index(after: cut)...]).trimmingWhitespace()
        guard !file.isEmpty else { throw PositionError(.malformed, "binlog position \"\(text)\": empty file name") }
        guard let pos = UInt32(posText) else {
            throw PositionError(
                .outOfRange,
                "binlog position \"\(text)\": offset \"\(posText)\" is not a 32-bit unsigned integer"
            )
        }
        return BinlogPosition(file: file, pos: pos)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.file)
        writer.write(self.pos)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.file = try reader.readString()
        self.pos = try reader.read(UInt32.self)
    }
}

extension String {
    /// Trims ASCII spaces, tabs and newlines (no Foundation in the pure vocabulary).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return String(self[first...last])
    }
}
