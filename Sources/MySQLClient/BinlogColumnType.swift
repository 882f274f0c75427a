/// Column type codes as they appear in TABLE_MAP events (`enum_field_types`).
public enum BinlogColumnType {
    public static let decimal: UInt8 = 0
    public static let tiny: UInt8 = 1
    public static let short: UInt8 = 2
    public static let long: UInt8 = 3
    public static let float: UInt8 = 4
    public static let double: UInt8 = 5
    public static let null: UInt8 = 6
    public static let timestamp: UInt8 = 7
    public static let longlong: UInt8 = 8
    public static let int24: UInt8 = 9
    public static let date: UInt8 = 10
    public static let time: UInt8 = 11
    public static let datetime: UInt8 = 12
    public static let year: UInt8 = 13
    public static let newdate: UInt8 = 14
    public static let varchar: UInt8 = 15
    public static let bit: UInt8 = 16
    public static let timestamp2: UInt8 = 17
    public static let datetime2: UInt8 = 18
    public static let time2: UInt8 = 19
    public static let json: UInt8 = 245
    public static let newdecimal: UInt8 = 246
    public static let enumeration: UInt8 = 247
    public static let set: UInt8 = 248
    public static let tinyBlob: UInt8 = 249
    public static let mediumBlob: UInt8 = 250
    public static let longBlob: UInt8 = 251
    public static let blob: UInt8 = 252
    public static let varString: UInt8 = 253
    public static let string: UInt8 = 254
    public static let geometry: UInt8 = 255

    /// How many metadata bytes the table map carries for a column of this type.
    static func metadataSize(_ type: UInt8) -> Int? {
        switch type {
        case float, double, blob, tinyBlob, mediumBlob, longBlob, geometry, json, timestamp2, datetime2, time2: 1
        case varchar, varString, string, enumeration, set, newdecimal, bit: 2
        case decimal, tiny, short, long, null, timestamp, longlong, int24, date, time, datetime, year, newdate: 0
        default: nil
        }
    }

    /// Types covered by the SIGNEDNESS optional metadata bitmap, in column order. MariaDB counts
    /// YEAR (an unsigned TINYINT underneath, always flagged unsigned); MySQL does not.
    static func isNumeric(_ type: UInt8, countsYear: Bool) -> Bool {
        switch type {
        case tiny, short, int24, long, longlong, float, double, newdecimal, decimal: true
        case year: countsYear
        default: false
        }
    }
}
