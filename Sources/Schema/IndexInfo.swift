public import BinaryCoding

/// One index of a table. The primary key is an index of kind ``Kind/primary`` named `PRIMARY`.
public struct IndexInfo: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case primary = "PRIMARY KEY"
        case unique = "UNIQUE KEY"
        case plain = "KEY"
        case fulltext = "FULLTEXT KEY"
        case spatial = "SPATIAL KEY"

        /// Whether the index forbids duplicate values (a constraint, not just an access path).
        public var isUnique: Bool {
            switch self {
            case .primary, .unique: return true
            case .plain, .fulltext, .spatial: return false
            }
        }
    }

    /// The name MySQL gives every primary key.
    public static let primaryName = "PRIMARY"

    public var name: String
    public var kind: Kind
    public var columns: [IndexColumn]
    /// `USING BTREE` / `USING HASH`, upper-cased, if given.
    public var algorithm: String?
    public var comment: String?

    public init(
        name: String, kind: Kind, columns: [IndexColumn], algorithm: String? = nil, comment: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.columns = columns
        self.algorithm = algorithm
        self.comment = comment
    }

    /// MySQL compares index names case-insensitively.
    public func hasName(_ other: String) -> Bool {
        self.name.lowercased() == other.lowercased()
    }
}

/// A column reference inside an index, with an optional prefix length (`name(10)`).
public struct IndexColumn: Sendable, Hashable, Codable {
    public var name: String
    public var prefixLength: Int?
    public var descending: Bool

    public init(_ name: String, prefixLength: Int? = nil, descending: Bool = false) {
        self.name = name
        self.prefixLength = prefixLength
        self.descending = descending
    }
}

// MARK: - Binary coding

extension IndexInfo.Kind: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeString(self.rawValue) }

    static let decodingTable = RawValueTable(IndexInfo.Kind.allCases.map { ($0.rawValue, $0) })

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self = try reader.readRawValue(Self.decodingTable, "index kind")
    }
}

extension IndexColumn: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.name)
        writer.writeOptional(self.prefixLength)
        writer.writeBool(self.descending)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.name = try reader.readString()
        self.prefixLength = try reader.readOptional()
        self.descending = try reader.readBool()
    }
}

extension IndexInfo: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.name)
        writer.write(self.kind)
        writer.writeArray(self.columns)
        writer.writeOptional(self.algorithm)
        writer.writeOptional(self.comment)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.name = try reader.readString()
        self.kind = try reader.read()
        self.columns = try reader.readArray()
        self.algorithm = try reader.readOptional()
        self.comment = try reader.readOptional()
    }
}
