/// Renders a `MySQLValue` as a MySQL SQL literal that stores exactly the same value.
///
/// Contract with the session that runs the SQL:
/// - TIMESTAMP values render as UTC datetimes, so the session must run with `time_zone='+00:00'`
///   (Braid's downstream sessions always do). `timestamp(seconds: 0, ...)` renders as MySQL's zero
///   timestamp `'0000-00-00 00:00:00'`.
/// - Text renders as hex with a charset introducer (`_utf8mb4 X'…'`), so neither the connection
///   charset nor `NO_BACKSLASH_ESCAPES` can change the bytes. Without a charset, bytes are binary
///   (`X'…'`).
/// - FLOAT renders the exact decimal value of the float's bits (via Double, shortest round-trip),
///   DOUBLE its shortest round-trip form; infinities and NaN cannot be stored by MySQL and throw
///   `.invalidArgument`.
/// - ENUM, SET and BIT render as their integer index / bitmask / bits, which MySQL assigns exactly.
/// - DATE, TIME, DATETIME render as quoted text, with six fractional digits when the value has any.
public enum SQLLiteral {
    /// Appends the literal for `value` to `sql`. `charset` is the column's charset name (e.g.
    /// `utf8mb4`, `latin1`) for `.bytes` of text columns; nil for binary columns.
    public static func append(_ value: MySQLValue, charset: String? = nil, to sql: inout String) throws(MySQLError) {
        switch value {
        case .null:
            sql += "NULL"
        case .int(let v):
            sql += String(v)
        case .uint(let v):
            sql += String(v)
        case .float(let v):
            guard v.isFinite else { throw MySQLError(.invalidArgument, "FLOAT \(v) has no SQL literal") }
            sql += Double(v).description
        case .double(let v):
            guard v.isFinite else { throw MySQLError(.invalidArgument, "DOUBLE \(v) has no SQL literal") }
            sql += v.description
        case .decimal(let text):
            guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }) else {
                throw MySQLError(.invalidArgument, "DECIMAL text '\(text)' is not a plain decimal number")
            }
            sql += text
        case .bytes(let bytes):
            if let charset {
                guard !bytes.isEmpty else {
                    sql += "''"  // an introducer needs a non-empty string on some versions
                    return
                }
                sql += "_"
                sql += charset
                sql += " "
            }
            appendHex(bytes, to: &sql)
        case .enumIndex(let v):
            sql += String(v)
        case .setBits(let v):
            sql += String(v)
        case .bit(let v):
            sql += String(v)
        case .date(let d):
            sql += "'"
            appendDate(d, to: &sql)
            sql += "'"
        case .time(let t):
            sql += t.negative ? "'-" : "'"
            appendPadded(UInt64(t.hours), width: 2, to: &sql)
            sql += ":"
            appendTimeOfDay(minute: t.minutes, second: t.seconds, microseconds: t.microseconds, to: &sql)
            sql += "'"
        case .datetime(let dt):
            sql += "'"
            appendDate(dt.date, to: &sql)
            sql += " "
            appendPadded(UInt64(dt.hour), width: 2, to: &sql)
            sql += ":"
            appendTimeOfDay(minute: dt.minute, second: dt.second, microseconds: dt.microseconds, to: &sql)
            sql += "'"
        case .timestamp(let seconds, let microseconds):
            if seconds == 0 && microseconds == 0 {
                sql += "'0000-00-00 00:00:00'"
                return
            }
            guard seconds >= 0 else { throw MySQLError(.invalidArgument, "TIMESTAMP \(seconds) is before the epoch") }
            let days = seconds / 86_400
            let ofDay = seconds % 86_400
            let date = civilDate(daysSinceEpoch: days)
            sql += "'"
            appendDate(date, to: &sql)
            sql += " "
            appendPadded(UInt64(ofDay / 3600), width: 2, to: &sql)
            sql += ":"
            appendTimeOfDay(minute: UInt8(ofDay / 60 % 60), second: UInt8(ofDay % 60), microseconds: microseconds, to: &sql)
            sql += "'"
        }
    }

    /// The literal for `value` as a new string.
    public static func render(_ value: MySQLValue, charset: String? = nil) throws(MySQLError) -> String {
        var sql = ""
        try append(value, charset: charset, to: &sql)
        return sql
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func appendHex(_ bytes: [UInt8], to sql: inout String) {
        let hex = String(unsafeUninitializedCapacity: bytes.count * 2 + 3) { buffer in
            buffer[0] = UInt8(ascii: "X")
            buffer[1] = UInt8(ascii: "'")
            var index = 2
            for byte in bytes {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            buffer[index] = UInt8(ascii: "'")
            return index + 1
        }
        sql += hex
    }

    private static func appendDate(_ d: MySQLDate, to sql: inout String) {
        appendPadded(UInt64(d.year), width: 4, to: &sql)
        sql += "-"
        appendPadded(UInt64(d.month), width: 2, to: &sql)
        sql += "-"
        appendPadded(UInt64(d.day), width: 2, to: &sql)
    }

    /// `mm:ss[.ffffff]`.
    private static func appendTimeOfDay(minute: UInt8, second: UInt8, microseconds: UInt32, to sql: inout String) {
        appendPadded(UInt64(minute), width: 2, to: &sql)
        sql += ":"
        appendPadded(UInt64(second), width: 2, to: &sql)
        if microseconds != 0 {
            sql += "."
            appendPadded(UInt64(microseconds), width: 6, to: &sql)
        }
    }

    private static func appendPadded(_ value: UInt64, width: Int, to sql: inout String) {
        let digits = String(value)
        if digits.utf8.count < width { sql += String(repeating: "0", count: width - digits.utf8.count) }
        sql += digits
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (days-from-civil inverted with
    /// 400-year eras, valid for the whole TIMESTAMP range).
    static func civilDate(daysSinceEpoch days: Int64) -> MySQLDate {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // March = 0
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return MySQLDate(year: UInt16(clamping: year), month: UInt8(month), day: UInt8(day))
    }
}
