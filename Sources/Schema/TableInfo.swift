public import BinaryCoding

/// The structure of one table: what the schema tracker keeps per upstream table and what the
/// optimistic lock joins across shards (see ``SchemaLattice``).
///
/// Columns keep declaration order (it decides the row layout the binlog carries); indexes keep
/// declaration order too, which only matters for rendering.
public struct TableInfo: Sendable, Hashable, Codable {
    /// Bumped whenever the binary layout below changes, so an old snapshot is refused instead of misread.
    public static let codecVersion: UInt8 = 1

    public var schema: String
    public var table: String
    public var columns: [ColumnInfo]
    public var indexes: [IndexInfo]
    /// The table's default character set, if known (`DEFAULT CHARSET=utf8mb4`).
    public var charset: String?
    public var collation: String?
    public var options: TableOptions

    public init(
        schema: String, table: String, columns: [ColumnInfo], indexes: [IndexInfo] = [], charset: String? = nil,
        collation: String? = nil, options: TableOptions = TableOptions()
    ) {
        self.schema = schema
        self.table = table
        self.columns = columns
        self.indexes = indexes
        self.charset = charset
        self.collation = collation
        self.options = options
    }

    /// The column called `name`, compared case-insensitively as MySQL does.
    public func column(named name: String) -> ColumnInfo? {
        self.columns.first { $0.hasName(name) }
    }

    /// The position of the column called `name` (case-insensitive).
    public func columnIndex(named name: String) -> Int? {
        self.columns.firstIndex { $0.hasName(name) }
    }

    /// The index called `name` (case-insensitive); `PRIMARY` finds the primary key.
    public func index(named name: String) -> IndexInfo? {
        self.indexes.first { $0.hasName(name) }
    }

    /// The primary key, if the table has one.
    public var primaryKey: IndexInfo? {
        self.indexes.first { $0.kind == .primary }
    }
}

/// Table options other than the character set: what `ENGINE=`, `AUTO_INCREMENT=`, `COMMENT=` said,
/// plus any other option kept as raw text so that it survives re-rendering.
public struct TableOptions: Sendable, Hashable, Codable {
    public var engine: String?
    public var autoIncrement: UInt64?
    public var comment: String?
    /// Options Braid does not interpret (`ROW_FORMAT=DYNAMIC`), in order, name upper-cased.
    public var other: [RawTableOption]

    public init(engine: String? = nil, autoIncrement: UInt64? = nil, comment: String? = nil, other: [RawTableOption] = []) {
        self.engine = engine
        self.autoIncrement = autoIncrement
        self.comment = comment
        self.other = other
    }
}

/// An uninterpreted table option: `NAME=value` with the value's SQL text as written.
public struct RawTableOption: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

// MARK: - Binary coding

extension RawTableOption: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.name)
        writer.writeString(self.value)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.name = try reader.readString()
        self.value = try reader.readString()
    }
}

extension TableOptions: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeOptional(self.engine)
        writer.writeOptional(self.autoIncrement)
        writer.writeOptional(self.comment)
        writer.writeArray(self.other)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.engine = try reader.readOptional()
        self.autoIncrement = try reader.readOptional()
        self.comment = try reader.readOptional()
        self.other = try reader.readArray()
    }
}

extension TableInfo: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeByte(Self.codecVersion)
        writer.writeString(self.schema)
        writer.writeString(self.table)
        writer.writeArray(self.columns)
        writer.writeArray(self.indexes)
        writer.writeOptional(self.charset)
        writer.writeOptional(self.collation)
        writer.write(self.options)
    }

    /// Schemas repeat verbatim across events (every shard reports the same before/after), so a
    /// rebuild's reader (one with an interner) decodes each distinct encoding once.
    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self = try reader.readMemoized(TableInfo.self) { (r: inout ByteReader) throws(BinaryDecodingError) in
            try TableInfo(decodingFields: &r)
        }
    }

    init(decodingFields reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let version = try reader.readByte()
        guard version == Self.codecVersion else {
            throw BinaryDecodingError(.unsupportedVersion, at: at, "TableInfo codec version \(version)")
        }
        self.schema = try reader.readString()
        self.table = try reader.readString()
        self.columns = try reader.readArray()
        self.indexes = try reader.readArray()
        self.charset = try reader.readOptional()
        self.collation = try reader.readOptional()
        self.options = try reader.read()
    }
}
