public import BinaryCoding

/// The upstream server family. It decides the GTID syntax and semantics (see `GTIDSet`).
public enum DatabaseFlavor: String, Sendable, Hashable, Codable, CaseIterable, BinaryCodable, CustomStringConvertible {
    case mysql
    case mariadb

    public var description: String { self.rawValue }

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .mysql: writer.writeByte(1)
        case .mariadb: writer.writeByte(2)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self = .mysql
        case 2: self = .mariadb
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "database flavor tag \(other)")
        }
    }
}
