/// A WRITE/UPDATE/DELETE_ROWS event (V1 codes 23–25 as MariaDB writes them, V2 codes 30–32 as
/// MySQL does, MariaDB's compressed V1 codes 166–168 once libmariadb has inflated them). The row
/// images stay raw until `decodeRows` (or a cached `RowDecoder`) reads them.
public struct RowsEvent: Sendable {
    public enum Kind: Sendable, Hashable { case insert, update, delete }

    public var kind: Kind
    public var typeCode: UInt8
    public var tableID: UInt64
    /// `STMT_END_F` (1) marks the last rows event of a statement.
    public var flags: UInt16
    public var columnCount: Int
    /// Columns present in each (before) image, one bit per column, least significant bit first.
    public var presentColumns: [UInt8]
    /// Columns present in each after image (updates only).
    public var presentColumnsAfter: [UInt8]?
    /// The row images: per row a null bitmap over the present columns, then the non-null values.
    public var body: [UInt8]
    /// The table map this event's `tableID` referred to when the stream read it.
    public var tableMap: TableMap?

    public init(
        kind: Kind, typeCode: UInt8, tableID: UInt64, flags: UInt16, columnCount: Int, presentColumns: [UInt8],
        presentColumnsAfter: [UInt8]?, body: [UInt8], tableMap: TableMap?
    ) {
        self.kind = kind
        self.typeCode = typeCode
        self.tableID = tableID
        self.flags = flags
        self.columnCount = columnCount
        self.presentColumns = presentColumns
        self.presentColumnsAfter = presentColumnsAfter
        self.body = body
        self.tableMap = tableMap
    }

    public var isStatementEnd: Bool { self.flags & 1 != 0 }

    /// Decodes every row with the attached table map. `unsignedColumns` overrides signedness
    /// (needed with `binlog_row_metadata=NO_LOG`; see `RowDecoder`). Cache a `RowDecoder` per
    /// table when decoding many events of one table.
    public func decodeRows(unsignedColumns: Set<Int>? = nil) throws(MySQLError) -> [RowChange] {
        guard let tableMap = self.tableMap else {
            throw MySQLError(.decode, "rows event for table id \(self.tableID) arrived without a TABLE_MAP")
        }
        return try RowDecoder(tableMap: tableMap, unsignedColumns: unsignedColumns).decode(self)
    }
}

/// One decoded row change.
public enum RowChange: Sendable, Hashable {
    case insert(RowImage)
    case update(before: RowImage, after: RowImage)
    case delete(RowImage)
}

/// The values of one row image, by column index. Columns absent from the image (only with
/// `binlog_row_image` other than FULL) hold `.null` and are reported by `isPresent`.
public struct RowImage: Sendable, Hashable {
    public var values: [MySQLValue]
    /// Bitmap of present columns, nil when every column is present.
    public var present: [UInt8]?

    public init(values: [MySQLValue], present: [UInt8]? = nil) {
        self.values = values
        self.present = present
    }

    public func isPresent(_ column: Int) -> Bool {
        guard let present else { return true }
        return present[column / 8] & (1 << (column % 8)) != 0
    }

    public subscript(_ column: Int) -> MySQLValue { self.values[column] }
}
