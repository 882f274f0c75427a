/// A value that writes itself with `ByteWriter`.
public protocol BinaryEncodable {
    func encode(to writer: inout ByteWriter)
}

/// A value that reads itself with `ByteReader`.
public protocol BinaryDecodable {
    init(from reader: inout ByteReader) throws(BinaryDecodingError)
}

public typealias BinaryCodable = BinaryEncodable & BinaryDecodable

extension BinaryEncodable {
    /// The value's encoding as a fresh byte array.
    public func encodedBytes() -> [UInt8] {
        var writer = ByteWriter()
        self.encode(to: &writer)
        return writer.bytes
    }
}

extension BinaryDecodable {
    /// Decodes a value that must span all of `bytes`.
    @inlinable
    public init(decoding bytes: [UInt8]) throws(BinaryDecodingError) {
        let result: Result<Self, BinaryDecodingError> = bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(unsafeBytes: buffer)
            do throws(BinaryDecodingError) {
                let value = try Self(from: &reader)
                try reader.expectEnd()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }
}

// MARK: - Standard library conformances

extension String: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeString(self) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readString() }
}

extension Bool: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeBool(self) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readBool() }
}

extension Int: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeInt(self) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readInt() }
}

extension Int64: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeVarInt(self) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readVarInt() }
}

extension UInt64: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeVarUInt(self) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readVarUInt() }
}

extension UInt32: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeVarUInt(UInt64(self)) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        guard let v = UInt32(exactly: try reader.readVarUInt()) else {
            throw BinaryDecodingError(.invalidValue, at: at, "UInt32 out of range")
        }
        self = v
    }
}

extension UInt8: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeByte(self) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readByte() }
}

extension Double: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeDouble(self) }
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readDouble() }
}

extension Array: BinaryEncodable where Element: BinaryEncodable {
    public func encode(to writer: inout ByteWriter) { writer.writeArray(self) }
}

extension Array: BinaryDecodable where Element: BinaryDecodable {
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readArray(Element.self) }
}

extension Optional: BinaryEncodable where Wrapped: BinaryEncodable {
    public func encode(to writer: inout ByteWriter) { writer.writeOptional(self) }
}

extension Optional: BinaryDecodable where Wrapped: BinaryDecodable {
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readOptional(Wrapped.self) }
}

extension Dictionary: BinaryEncodable where Key: BinaryEncodable & Comparable, Value: BinaryEncodable {
    public func encode(to writer: inout ByteWriter) { writer.writeDictionary(self) }
}

extension Dictionary: BinaryDecodable where Key: BinaryDecodable, Value: BinaryDecodable {
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self = try reader.readDictionary(Key.self, Value.self)
    }
}

extension Set: BinaryEncodable where Element: BinaryEncodable & Comparable {
    public func encode(to writer: inout ByteWriter) { writer.writeSet(self) }
}

extension Set: BinaryDecodable where Element: BinaryDecodable {
    @inlinable public init(from reader: inout ByteReader) throws(BinaryDecodingError) { self = try reader.readSet(Element.self) }
}
