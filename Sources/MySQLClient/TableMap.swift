/// A TABLE_MAP event: the table a following rows event refers to by `tableID`, with each
/// column's binlog type and metadata. `binlog_row_metadata=FULL` adds names, signedness and the
/// primary key; with `NO_LOG` those are nil and the caller supplies signedness.
public struct TableMap: Sendable, Hashable {
    public var tableID: UInt64
    public var schema: String
    public var table: String
    public var columns: [Column]
    /// Primary-key column indexes (optional metadata), nil when not logged.
    public var primaryKey: [Int]?

    public struct Column: Sendable, Hashable {
        /// The type code in the table map (254 for CHAR, ENUM and SET alike).
        public var type: UInt8
        /// The real type: for 254 the metadata says CHAR (254), ENUM (247) or SET (248).
        public var realType: UInt8
        /// Per-type metadata, decoded: max byte length (CHAR, VARCHAR), length-prefix size (BLOB,
        /// TEXT, JSON, GEOMETRY), storage bytes (ENUM, SET, FLOAT, DOUBLE), fractional digits
        /// (TIME2, DATETIME2, TIMESTAMP2), `precision << 8 | scale` (DECIMAL), bit count (BIT).
        public var metadata: UInt16
        public var nullable: Bool
        /// From SIGNEDNESS optional metadata: true = UNSIGNED; nil when not logged or not numeric.
        public var isUnsigned: Bool?
        public var name: String?
    }

    /// Builds the map from the raw pieces of the event body (all bounds-checked). `mariaDB` says
    /// whose signedness bitmap this is (they differ for YEAR).
    public init(
        tableID: UInt64, schema: String, table: String, columnTypes: [UInt8], metadata: [UInt8], nullBitmap: [UInt8],
        optionalMetadata: [UInt8] = [], mariaDB: Bool = true
    ) throws(MySQLError) {
        self.tableID = tableID
        self.schema = schema
        self.table = table
        func fail(_ text: String) -> MySQLError {
            MySQLError(.decode, "TABLE_MAP of `\(schema)`.`\(table)` (table id \(tableID)): \(text)")
        }
        guard nullBitmap.count >= (columnTypes.count + 7) / 8 else { throw fail("null bitmap too short") }
        var columns: [Column] = []
        columns.reserveCapacity(columnTypes.count)
        var offset = 0
        for (index, type) in columnTypes.enumerated() {
            guard let size = BinlogColumnType.metadataSize(type) else {
                throw fail("column \(index) has unsupported type \(type)")
            }
            guard offset + size <= metadata.count else { throw fail("metadata truncated at column \(index) (byte \(offset))") }
            let b0 = size > 0 ? metadata[offset] : 0
            let b1 = size > 1 ? metadata[offset + 1] : 0
            offset += size
            var realType = type
            let value: UInt16
            switch type {
            case BinlogColumnType.varchar, BinlogColumnType.varString:
                value = UInt16(b0) | UInt16(b1) << 8
            case BinlogColumnType.string, BinlogColumnType.enumeration, BinlogColumnType.set:
                // byte 0 is the real type with bits 4-5 of a CHAR's >255 length folded in (inverted).
                if b0 & 0x30 != 0x30 {
                    realType = b0 | 0x30
                    value = UInt16(b1) | UInt16((b0 & 0x30) ^ 0x30) << 4
                } else {
                    realType = b0
                    value = UInt16(b1)
                }
                guard [BinlogColumnType.string, BinlogColumnType.enumeration, BinlogColumnType.set].contains(realType) else {
                    throw fail("column \(index) has string metadata with unknown real type \(realType)")
                }
            case BinlogColumnType.newdecimal:
                value = UInt16(b0) << 8 | UInt16(b1)
            case BinlogColumnType.bit:
                value = UInt16(b1) * 8 + UInt16(b0)
            default:
                value = UInt16(b0)
            }
            let nullable = nullBitmap[index / 8] & (1 << (index % 8)) != 0
            columns.append(Column(type: type, realType: realType, metadata: value, nullable: nullable))
        }
        self.columns = columns
        self.primaryKey = nil
        try self.applyOptionalMetadata(optionalMetadata, mariaDB: mariaDB, fail: fail)
    }

    /// Optional metadata is a list of (type byte, length-encoded size, value). Unknown types are skipped.
    private mutating func applyOptionalMetadata(_ bytes: [UInt8], mariaDB: Bool, fail: (String) -> MySQLError) throws(MySQLError) {
        var reader = ByteReader(bytes)
        while !reader.isAtEnd {
            guard let fieldType = reader.byte(), let length = reader.lengthEncoded(), let value = reader.bytes(Int(clamping: length)) else {
                throw fail("optional metadata truncated at byte \(reader.offset)")
            }
            var field = ByteReader(value)
            switch fieldType {
            case 1:  // SIGNEDNESS: one bit per numeric column, most significant bit first, 1 = unsigned
                var numeric = 0
                for index in self.columns.indices where BinlogColumnType.isNumeric(self.columns[index].type, countsYear: mariaDB) {
                    guard numeric / 8 < value.count else { throw fail("signedness bitmap too short") }
                    self.columns[index].isUnsigned = value[numeric / 8] & (0x80 >> (numeric % 8)) != 0
                    numeric += 1
                }
            case 4:  // COLUMN_NAME: a length-encoded string per column
                for index in self.columns.indices {
                    guard let length = field.lengthEncoded(), let name = field.bytes(Int(clamping: length)) else {
                        throw fail("column names truncated")
                    }
                    self.columns[index].name = String(decoding: name, as: UTF8.self)
                }
            case 8:  // SIMPLE_PRIMARY_KEY: column indexes
                var key: [Int] = []
                while !field.isAtEnd {
                    guard let column = field.lengthEncoded(), column < self.columns.count else { throw fail("bad primary key") }
                    key.append(Int(column))
                }
                self.primaryKey = key
            case 9:  // PRIMARY_KEY_WITH_PREFIX: (column index, prefix length) pairs
                var key: [Int] = []
                while !field.isAtEnd {
                    guard let column = field.lengthEncoded(), column < self.columns.count, field.lengthEncoded() != nil else {
                        throw fail("bad prefixed primary key")
                    }
                    key.append(Int(column))
                }
                self.primaryKey = key
            default:
                break
            }
        }
    }
}
