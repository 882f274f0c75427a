import CMariaDB

/// A column of a result set as the server described it.
public struct MySQLColumn: Sendable, Hashable {
    public var name: String
    /// `enum_field_types` (e.g. 3 = LONG, 253 = VAR_STRING).
    public var type: UInt8
    /// Collation id of the column's values (63 = binary).
    public var charset: UInt32
    /// `*_FLAG` bits (NOT_NULL = 1, PRI_KEY = 2, UNSIGNED = 32, BINARY = 128, ...).
    public var flags: UInt32
    public var length: UInt64
    public var decimals: UInt32

    public var isUnsigned: Bool { self.flags & UInt32(UNSIGNED_FLAG) != 0 }
    public var isNotNull: Bool { self.flags & UInt32(NOT_NULL_FLAG) != 0 }

    init(_ field: MYSQL_FIELD) {
        self.name = field.name.map { String(cString: $0) } ?? ""
        self.type = UInt8(truncatingIfNeeded: field.type.rawValue)
        self.charset = field.charsetnr
        self.flags = field.flags
        self.length = UInt64(field.length)
        self.decimals = field.decimals
    }
}

/// One row of the text protocol: each value is the server's text rendering, nil for NULL.
public struct MySQLRow: Sendable, Hashable {
    public var values: [[UInt8]?]

    public init(_ values: [[UInt8]?]) { self.values = values }

    public var count: Int { self.values.count }
    public subscript(_ index: Int) -> [UInt8]? { self.values[index] }
    /// The value as UTF-8 text (lossy for other charsets), nil for NULL.
    public func string(_ index: Int) -> String? { self.values[index].map { String(decoding: $0, as: UTF8.self) } }
}

/// A fully buffered result (`mysql_store_result`).
public struct MySQLResultSet: Sendable, Hashable {
    public var columns: [MySQLColumn]
    public var rows: [MySQLRow]

    public init(columns: [MySQLColumn], rows: [MySQLRow]) {
        self.columns = columns
        self.rows = rows
    }

    /// The index of the column named `name`, if any.
    public func columnIndex(_ name: String) -> Int? { self.columns.firstIndex { $0.name == name } }
}

extension MySQLResultSet {
    static func columns(of result: UnsafeMutablePointer<MYSQL_RES>) -> [MySQLColumn] {
        let count = Int(mysql_num_fields(result))
        guard count > 0, let fields = mysql_fetch_fields(result) else { return [] }
        return (0..<count).map { MySQLColumn(fields[$0]) }
    }

    /// Copies the current row out of libmariadb; nil at the end of the result.
    static func fetchRow(_ result: UnsafeMutablePointer<MYSQL_RES>, columnCount: Int) -> MySQLRow? {
        guard let row = mysql_fetch_row(result), let lengths = mysql_fetch_lengths(result) else { return nil }
        var values: [[UInt8]?] = []
        values.reserveCapacity(columnCount)
        for index in 0..<columnCount {
            if let pointer = row[index] {
                values.append(Array(UnsafeRawBufferPointer(start: pointer, count: Int(lengths[index]))))
            } else {
                values.append(nil)
            }
        }
        return MySQLRow(values)
    }
}
