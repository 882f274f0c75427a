// Placeholder until the MySQLClient branch lands its exact renderer.
public enum SQLLiteral {
    public static func append(_ value: MySQLValue, charset: String? = nil, to sql: inout String) throws(MySQLError) {
        switch value {
        case .null: sql += "NULL"
        case .int(let v): sql += String(v)
        case .uint(let v): sql += String(v)
        case .float(let v): sql += "\(v)"
        case .double(let v): sql += "\(v)"
        case .decimal(let v): sql += v
        case .bytes(let b):
            if let charset { sql += "_" + charset + " " }
            sql += "X'" + b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() + "'"
        case .enumIndex(let v): sql += String(v)
        case .setBits(let v): sql += String(v)
        case .bit(let v): sql += String(v)
        case .date(let d): sql += "'\(d.year)-\(d.month)-\(d.day)'"
        case .time(let t): sql += "'\(t.negative ? "-" : "")\(t.hours):\(t.minutes):\(t.seconds).\(t.microseconds)'"
        case .datetime(let t): sql += "'\(t.date.year)-\(t.date.month)-\(t.date.day) \(t.hour):\(t.minute):\(t.second).\(t.microseconds)'"
        case .timestamp(let s, let us): sql += "FROM_UNIXTIME(\(s).\(us))"
        }
    }
}
