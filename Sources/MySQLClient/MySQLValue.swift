/// One column value as it travels from the binlog (or a snapshot read) to the downstream.
///
/// Values keep the upstream's exact bytes and digits: strings stay in their column charset,
/// DECIMAL stays text, temporal values stay broken down, so nothing is rounded or re-encoded
/// on the way through. `SQLLiteral` renders them for the downstream.
public enum MySQLValue: Sendable, Hashable {
    case null
    /// Signed integers of every width, and YEAR.
    case int(Int64)
    /// Unsigned integers of every width.
    case uint(UInt64)
    case float(Float)
    case double(Double)
    /// DECIMAL as exact text, e.g. `-1234.5600`.
    case decimal(String)
    /// CHAR, VARCHAR, TEXT (bytes in the column's charset), BINARY, VARBINARY, BLOB, JSON text,
    /// and GEOMETRY (MySQL's internal SRID + WKB bytes).
    case bytes([UInt8])
    /// ENUM as its 1-based member index (0 = the empty error value).
    case enumIndex(UInt16)
    /// SET as its member bitmask.
    case setBits(UInt64)
    /// BIT(n) as its bits, right-aligned.
    case bit(UInt64)
    case date(MySQLDate)
    case time(MySQLTime)
    case datetime(MySQLDateTime)
    /// TIMESTAMP as seconds since the Unix epoch (UTC) and microseconds.
    case timestamp(seconds: Int64, microseconds: UInt32)
}

public struct MySQLDate: Sendable, Hashable {
    public var year: UInt16
    public var month: UInt8
    public var day: UInt8

    public init(year: UInt16, month: UInt8, day: UInt8) {
        self.year = year
        self.month = month
        self.day = day
    }
}

/// TIME, which MySQL allows from -838:59:59 to 838:59:59.
public struct MySQLTime: Sendable, Hashable {
    public var negative: Bool
    public var hours: UInt32
    public var minutes: UInt8
    public var seconds: UInt8
    public var microseconds: UInt32

    public init(negative: Bool = false, hours: UInt32, minutes: UInt8, seconds: UInt8, microseconds: UInt32 = 0) {
        self.negative = negative
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
        self.microseconds = microseconds
    }
}

public struct MySQLDateTime: Sendable, Hashable {
    public var date: MySQLDate
    public var hour: UInt8
    public var minute: UInt8
    public var second: UInt8
    public var microseconds: UInt32

    public init(date: MySQLDate, hour: UInt8, minute: UInt8, second: UInt8, microseconds: UInt32 = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microseconds = microseconds
    }
}
