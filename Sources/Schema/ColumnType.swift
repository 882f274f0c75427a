public import BinaryCoding

/// The SQL type of a column, as declared: base type plus length, scale, flags and enum/set elements.
///
/// `length` keeps what the DDL said (`nil` = not given), so re-rendering reproduces the statement.
/// Comparisons that must treat `INT` and `INT(11)` alike go through ``effectiveLength``.
public struct ColumnType: Sendable, Hashable, Codable {
    public var base: BaseType
    /// Display width (integers), character/byte length (strings), precision (DECIMAL, FLOAT, DOUBLE),
    /// fractional-second precision (TIME, DATETIME, TIMESTAMP), bit count (BIT).
    public var length: Int?
    /// Digits after the decimal point (DECIMAL, FLOAT, DOUBLE).
    public var scale: Int?
    public var unsigned: Bool
    public var zerofill: Bool
    /// The members of an ENUM or SET, in declaration order; empty for every other type.
    public var elements: [String]

    public init(
        _ base: BaseType, length: Int? = nil, scale: Int? = nil, unsigned: Bool = false, zerofill: Bool = false,
        elements: [String] = []
    ) {
        self.base = base
        self.length = length
        self.scale = scale
        self.unsigned = unsigned
        self.zerofill = zerofill
        self.elements = elements
    }

    /// The length MySQL assumes when none is given, so `INT` and `INT(11)` compare equal.
    public var effectiveLength: Int? {
        if let length = self.length { return length }
        switch self.base {
        case .tinyint: return self.unsigned ? 3 : 4
        case .smallint: return self.unsigned ? 5 : 6
        case .mediumint: return self.unsigned ? 8 : 9
        case .int: return self.unsigned ? 10 : 11
        case .bigint: return 20
        case .decimal: return 10
        case .char, .binary, .bit: return 1
        case .time, .datetime, .timestamp: return 0
        case .year: return 4
        case .float, .double, .date, .varchar, .varbinary, .tinyblob, .blob, .mediumblob, .longblob, .tinytext,
            .text, .mediumtext, .longtext, .enum, .set, .json, .geometry, .point, .linestring, .polygon, .multipoint,
            .multilinestring, .multipolygon, .geometrycollection:
            return nil
        }
    }

    /// The scale MySQL assumes when none is given (`DECIMAL(10)` is `DECIMAL(10,0)`).
    public var effectiveScale: Int? {
        if let scale = self.scale { return scale }
        return self.base == .decimal ? 0 : nil
    }

    /// Whether values of this type carry a character set (and so a collation).
    public var isCharacterType: Bool {
        switch self.base {
        case .char, .varchar, .tinytext, .text, .mediumtext, .longtext, .enum, .set: return true
        case .tinyint, .smallint, .mediumint, .int, .bigint, .decimal, .float, .double, .bit, .date, .datetime,
            .timestamp, .time, .year, .binary, .varbinary, .tinyblob, .blob, .mediumblob, .longblob, .json, .geometry,
            .point, .linestring, .polygon, .multipoint, .multilinestring, .multipolygon, .geometrycollection:
            return false
        }
    }
}

/// The base SQL types Braid understands; synonyms (`INTEGER`, `BOOL`, `NUMERIC`, `REAL`) are folded by the parser.
///
/// The raw value is the canonical MySQL spelling and is also the binary encoding, so reordering cases
/// never changes stored bytes.
public enum BaseType: String, Sendable, Hashable, Codable, CaseIterable {
    case tinyint = "TINYINT", smallint = "SMALLINT", mediumint = "MEDIUMINT", int = "INT", bigint = "BIGINT"
    case decimal = "DECIMAL", float = "FLOAT", double = "DOUBLE", bit = "BIT"
    case date = "DATE", datetime = "DATETIME", timestamp = "TIMESTAMP", time = "TIME", year = "YEAR"
    case char = "CHAR", varchar = "VARCHAR", binary = "BINARY", varbinary = "VARBINARY"
    case tinyblob = "TINYBLOB", blob = "BLOB", mediumblob = "MEDIUMBLOB", longblob = "LONGBLOB"
    case tinytext = "TINYTEXT", text = "TEXT", mediumtext = "MEDIUMTEXT", longtext = "LONGTEXT"
    case `enum` = "ENUM", set = "SET", json = "JSON"
    case geometry = "GEOMETRY", point = "POINT", linestring = "LINESTRING", polygon = "POLYGON"
    case multipoint = "MULTIPOINT", multilinestring = "MULTILINESTRING", multipolygon = "MULTIPOLYGON"
    case geometrycollection = "GEOMETRYCOLLECTION"

    /// Types that differ only in capacity; within a family a later rank holds every value of an earlier one.
    public enum Family: Sendable, Hashable {
        case integer, blob, text
    }

    /// The family and rank used by the lattice (`INT` < `BIGINT`, `BLOB` < `MEDIUMBLOB`), or `nil`
    /// for types that only compare equal to themselves.
    public var widening: (family: Family, rank: Int)? {
        switch self {
        case .tinyint: return (.integer, 1)
        case .smallint: return (.integer, 2)
        case .mediumint: return (.integer, 3)
        case .int: return (.integer, 4)
        case .bigint: return (.integer, 5)
        case .tinyblob: return (.blob, 1)
        case .blob: return (.blob, 2)
        case .mediumblob: return (.blob, 3)
        case .longblob: return (.blob, 4)
        case .tinytext: return (.text, 1)
        case .text: return (.text, 2)
        case .mediumtext: return (.text, 3)
        case .longtext: return (.text, 4)
        case .decimal, .float, .double, .bit, .date, .datetime, .timestamp, .time, .year, .char, .varchar, .binary,
            .varbinary, .enum, .set, .json, .geometry, .point, .linestring, .polygon, .multipoint, .multilinestring,
            .multipolygon, .geometrycollection:
            return nil
        }
    }
}

// MARK: - Binary coding

extension BaseType: BinaryCodable {
    public func encode(to writer: inout ByteWriter) { writer.writeString(self.rawValue) }

    static let decodingTable = RawValueTable(BaseType.allCases.map { ($0.rawValue, $0) })

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self = try reader.readRawValue(Self.decodingTable, "base type")
    }
}

extension ColumnType: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(self.base)
        writer.writeOptional(self.length)
        writer.writeOptional(self.scale)
        writer.writeBool(self.unsigned)
        writer.writeBool(self.zerofill)
        writer.writeArray(self.elements)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.base = try reader.read()
        self.length = try reader.readOptional()
        self.scale = try reader.readOptional()
        self.unsigned = try reader.readBool()
        self.zerofill = try reader.readBool()
        self.elements = try reader.readArray()
    }
}
