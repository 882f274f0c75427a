public import BinaryCoding

/// A column's `DEFAULT` clause.
///
/// Literals keep their SQL text (`number("-1")`, `string("abc")`) rather than a parsed value, because
/// the lattice only asks "are these the same default?" and rendering must reproduce the DDL.
public enum DefaultValue: Sendable, Hashable, Codable {
    /// `DEFAULT NULL`.
    case null
    /// A quoted string literal, unescaped (`DEFAULT 'a''b'` is `string("a'b")`).
    case string(String)
    /// A numeric literal as written, sign included (`DEFAULT -1.5`).
    case number(String)
    /// Anything evaluated by the server: `CURRENT_TIMESTAMP(3)`, `TRUE`, `b'1'`, `(uuid())`, as canonical SQL.
    case expression(String)
}

extension DefaultValue: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .null:
            writer.writeByte(0)
        case .string(let text):
            writer.writeByte(1)
            writer.writeString(text)
        case .number(let text):
            writer.writeByte(2)
            writer.writeString(text)
        case .expression(let text):
            writer.writeByte(3)
            writer.writeString(text)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 0: self = .null
        case 1: self = .string(try reader.readString())
        case 2: self = .number(try reader.readString())
        case 3: self = .expression(try reader.readString())
        case let tag: throw BinaryDecodingError(.invalidValue, at: at, "DefaultValue tag \(tag)")
        }
    }
}
