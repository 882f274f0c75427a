/// Decodes the row images of rows events for one table map, in Swift (libmariadb's
/// `mariadb_rpl_extract_rows` mishandles CHAR, ENUM, SET, TIMESTAMP and wide DECIMAL).
///
/// Integer signedness is not in the row data. It comes from the table map's SIGNEDNESS metadata
/// (`binlog_row_metadata=FULL`) or, when given, from `unsignedColumns` (the pipeline knows it from
/// `SHOW CREATE TABLE`), which then wins. Without either, integers decode as signed.
///
/// Malformed input never traps: every read is bounds-checked and reported as a `.decode` error
/// naming the table, column and byte offset in the event body.
public struct RowDecoder: Sendable {
    public let tableMap: TableMap
    private let plans: [Plan]

    enum Plan: Sendable, Hashable {
        case integer(width: Int, unsigned: Bool)
        case float
        case double
        case decimal(precision: Int, scale: Int)
        case year
        case date
        case time
        case time2(fsp: Int)
        case datetime
        case datetime2(fsp: Int)
        case timestamp
        case timestamp2(fsp: Int)
        /// CHAR, VARCHAR, BLOB, TEXT, JSON, GEOMETRY: a little-endian length of this many bytes, then the bytes.
        case lengthPrefixed(Int)
        case enumeration(bytes: Int)
        case set(bytes: Int)
        case bit(bytes: Int)
        case null
    }

    public init(tableMap: TableMap, unsignedColumns: Set<Int>? = nil) throws(MySQLError) {
        self.tableMap = tableMap
        var plans: [Plan] = []
        plans.reserveCapacity(tableMap.columns.count)
        for (index, column) in tableMap.columns.enumerated() {
            let unsigned = unsignedColumns.map { $0.contains(index) } ?? column.isUnsigned ?? false
            let meta = Int(column.metadata)
            func unsupported(_ why: String) -> MySQLError {
                MySQLError(.decode, "`\(tableMap.schema)`.`\(tableMap.table)` column \(index)\(column.name.map { " (`\($0)`)" } ?? ""): \(why)")
            }
            let plan: Plan
            switch column.realType {
            case BinlogColumnType.tiny: plan = .integer(width: 1, unsigned: unsigned)
            case BinlogColumnType.short: plan = .integer(width: 2, unsigned: unsigned)
            case BinlogColumnType.int24: plan = .integer(width: 3, unsigned: unsigned)
            case BinlogColumnType.long: plan = .integer(width: 4, unsigned: unsigned)
            case BinlogColumnType.longlong: plan = .integer(width: 8, unsigned: unsigned)
            case BinlogColumnType.float: plan = .float
            case BinlogColumnType.double: plan = .double
            case BinlogColumnType.newdecimal:
                let precision = meta >> 8
                let scale = meta & 0xFF
                guard precision >= 1, precision <= 65, scale <= precision else {
                    throw unsupported("DECIMAL(\(precision),\(scale)) is out of range")
                }
                plan = .decimal(precision: precision, scale: scale)
            case BinlogColumnType.year: plan = .year
            case BinlogColumnType.date, BinlogColumnType.newdate: plan = .date
            case BinlogColumnType.time: plan = .time
            case BinlogColumnType.datetime: plan = .datetime
            case BinlogColumnType.timestamp: plan = .timestamp
            case BinlogColumnType.time2, BinlogColumnType.datetime2, BinlogColumnType.timestamp2:
                guard meta <= 6 else { throw unsupported("fractional precision \(meta) > 6") }
                plan = column.realType == BinlogColumnType.time2 ? .time2(fsp: meta)
                    : column.realType == BinlogColumnType.datetime2 ? .datetime2(fsp: meta) : .timestamp2(fsp: meta)
            case BinlogColumnType.varchar, BinlogColumnType.varString, BinlogColumnType.string:
                plan = .lengthPrefixed(meta > 255 ? 2 : 1)
            case BinlogColumnType.blob, BinlogColumnType.tinyBlob, BinlogColumnType.mediumBlob, BinlogColumnType.longBlob,
                BinlogColumnType.geometry, BinlogColumnType.json:
                guard (1...4).contains(meta) else { throw unsupported("BLOB length size \(meta) is not 1...4") }
                plan = .lengthPrefixed(meta)
            case BinlogColumnType.enumeration:
                guard meta == 1 || meta == 2 else { throw unsupported("ENUM storage size \(meta)") }
                plan = .enumeration(bytes: meta)
            case BinlogColumnType.set:
                guard (1...8).contains(meta) else { throw unsupported("SET storage size \(meta)") }
                plan = .set(bytes: meta)
            case BinlogColumnType.bit:
                guard (1...64).contains(meta) else { throw unsupported("BIT(\(meta))") }
                plan = .bit(bytes: (meta + 7) / 8)
            case BinlogColumnType.null: plan = .null
            default:
                throw unsupported("binlog type \(column.realType) is not supported")
            }
            plans.append(plan)
        }
        self.plans = plans
    }

    /// Decodes every row of `event`; update events give (before, after) pairs.
    public func decode(_ event: RowsEvent) throws(MySQLError) -> [RowChange] {
        let columnCount = self.plans.count
        guard event.columnCount == columnCount else {
            throw self.failure(column: nil, offset: 0, "rows event has \(event.columnCount) columns, table map \(columnCount)")
        }
        let bitmapSize = (columnCount + 7) / 8
        guard event.presentColumns.count >= bitmapSize else { throw self.failure(column: nil, offset: 0, "column bitmap too short") }
        if event.kind == .update {
            guard let after = event.presentColumnsAfter, after.count >= bitmapSize else {
                throw self.failure(column: nil, offset: 0, "update without an after-image column bitmap")
            }
        }
        let before = event.presentColumns
        let after = event.presentColumnsAfter ?? []
        let result: Result<[RowChange], MySQLError> = event.body.withUnsafeBufferPointer { body in
            do throws(MySQLError) {
                var changes: [RowChange] = []
                var cursor = 0
                while cursor < body.count {
                    let image = try self.image(body, &cursor, present: before)
                    switch event.kind {
                    case .insert: changes.append(.insert(image))
                    case .delete: changes.append(.delete(image))
                    case .update: changes.append(.update(before: image, after: try self.image(body, &cursor, present: after)))
                    }
                }
                return .success(changes)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func failure(column: Int?, offset: Int, _ text: String) -> MySQLError {
        var location = "`\(self.tableMap.schema)`.`\(self.tableMap.table)`"
        if let column {
            location += " column \(column)"
            if let name = self.tableMap.columns[column].name { location += " (`\(name)`)" }
            location += " type \(self.tableMap.columns[column].realType)"
        }
        return MySQLError(.decode, "\(location) at body byte \(offset): \(text)")
    }

    private func image(_ body: UnsafeBufferPointer<UInt8>, _ cursor: inout Int, present: [UInt8]) throws(MySQLError) -> RowImage {
        let columnCount = self.plans.count
        var presentCount = 0
        var all = true
        for column in 0..<columnCount {
            if present[column / 8] & (1 << (column % 8)) != 0 { presentCount += 1 } else { all = false }
        }
        let nullBitmapSize = (presentCount + 7) / 8
        guard nullBitmapSize <= body.count - cursor else { throw self.failure(column: nil, offset: cursor, "null bitmap truncated") }
        let nullBitmap = cursor
        cursor += nullBitmapSize
        var values = [MySQLValue](repeating: .null, count: columnCount)
        var presentIndex = 0
        for column in 0..<columnCount where present[column / 8] & (1 << (column % 8)) != 0 {
            defer { presentIndex += 1 }
            if body[nullBitmap + presentIndex / 8] & (1 << (presentIndex % 8)) != 0 { continue }
            values[column] = try self.value(self.plans[column], body, &cursor, column: column)
        }
        return RowImage(values: values, present: all ? nil : Array(present.prefix((columnCount + 7) / 8)))
    }

    private func value(_ plan: Plan, _ body: UnsafeBufferPointer<UInt8>, _ cursor: inout Int, column: Int) throws(MySQLError) -> MySQLValue {
        let start = cursor
        func need(_ count: Int) throws(MySQLError) {
            guard count <= body.count - cursor else {
                throw self.failure(column: column, offset: start, "value truncated (needs \(count) bytes, \(body.count - cursor) left)")
            }
        }
        func little(_ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<count { value |= UInt64(body[cursor + index]) << (8 * index) }
            cursor += count
            return value
        }
        func big(_ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<count { value = value << 8 | UInt64(body[cursor + index]) }
            cursor += count
            return value
        }
        /// TIME2/DATETIME2/TIMESTAMP2 fraction as microseconds (big-endian, (fsp+1)/2 bytes).
        func fraction(_ fsp: Int) -> UInt32 {
            switch fsp {
            case 1, 2: return UInt32(big(1)) * 10_000
            case 3, 4: return UInt32(big(2)) * 100
            case 5, 6: return UInt32(big(3))
            default: return 0
            }
        }
        switch plan {
        case .integer(let width, let unsigned):
            try need(width)
            let raw = little(width)
            if unsigned { return .uint(raw) }
            let shift = UInt64(64 - 8 * width)
            return .int(Int64(bitPattern: raw << shift) >> shift)
        case .float:
            try need(4)
            return .float(Float(bitPattern: UInt32(little(4))))
        case .double:
            try need(8)
            return .double(Double(bitPattern: little(8)))
        case .decimal(let precision, let scale):
            let size = BinlogDecimal.storageSize(precision: precision, scale: scale)
            try need(size)
            guard let text = BinlogDecimal.text(body, at: cursor, precision: precision, scale: scale) else {
                throw self.failure(column: column, offset: start, "DECIMAL(\(precision),\(scale)) digit group out of range")
            }
            cursor += size
            return .decimal(text)
        case .year:
            try need(1)
            let raw = little(1)
            return .int(raw == 0 ? 0 : 1900 + Int64(raw))
        case .date:
            try need(3)
            let raw = little(3)
            return .date(MySQLDate(year: UInt16(raw >> 9), month: UInt8(raw >> 5 & 15), day: UInt8(raw & 31)))
        case .time:
            try need(3)
            let raw = Int64(bitPattern: little(3) << 40) >> 40
            let magnitude = raw.magnitude
            return .time(MySQLTime(
                negative: raw < 0, hours: UInt32(magnitude / 10_000), minutes: UInt8(magnitude / 100 % 100),
                seconds: UInt8(magnitude % 100)))
        case .time2(let fsp):
            try need(3 + (fsp + 1) / 2)
            var packed: Int64
            switch fsp {
            case 5, 6:
                packed = Int64(big(6)) - 0x8000_0000_0000
            default:
                var integer = Int64(big(3)) - 0x80_0000
                var fractional: Int64 = 0
                var unit: Int64 = 1
                if fsp == 1 || fsp == 2 {
                    fractional = Int64(big(1))
                    if integer < 0 && fractional != 0 { integer += 1; fractional -= 0x100 }
                    unit = 10_000
                } else if fsp == 3 || fsp == 4 {
                    fractional = Int64(big(2))
                    if integer < 0 && fractional != 0 { integer += 1; fractional -= 0x10000 }
                    unit = 100
                }
                packed = integer * (1 << 24) + fractional * unit
            }
            let magnitude = packed.magnitude
            let hms = magnitude >> 24
            let micro = magnitude & 0xFF_FFFF
            guard micro < 1_000_000 else { throw self.failure(column: column, offset: start, "TIME fraction \(micro) out of range") }
            return .time(MySQLTime(
                negative: packed < 0, hours: UInt32(hms >> 12 & 0x3FF), minutes: UInt8(hms >> 6 & 0x3F),
                seconds: UInt8(hms & 0x3F), microseconds: UInt32(micro)))
        case .datetime:
            try need(8)
            let raw = little(8)
            let date = raw / 1_000_000
            let time = raw % 1_000_000
            guard date / 10_000 <= 9999 else { throw self.failure(column: column, offset: start, "DATETIME \(raw) out of range") }
            return .datetime(MySQLDateTime(
                date: MySQLDate(year: UInt16(date / 10_000), month: UInt8(date / 100 % 100), day: UInt8(date % 100)),
                hour: UInt8(time / 10_000), minute: UInt8(time / 100 % 100), second: UInt8(time % 100)))
        case .datetime2(let fsp):
            try need(5 + (fsp + 1) / 2)
            let raw = big(5)
            guard raw >= 0x80_0000_0000 else { throw self.failure(column: column, offset: start, "negative DATETIME") }
            let packed = raw - 0x80_0000_0000
            let micro = fraction(fsp)
            guard micro < 1_000_000 else { throw self.failure(column: column, offset: start, "DATETIME fraction out of range") }
            let ymd = packed >> 17
            let yearMonth = ymd >> 5
            let hms = packed & 0x1FFFF
            guard yearMonth / 13 <= 9999 else { throw self.failure(column: column, offset: start, "DATETIME year out of range") }
            return .datetime(MySQLDateTime(
                date: MySQLDate(year: UInt16(yearMonth / 13), month: UInt8(yearMonth % 13), day: UInt8(ymd & 31)),
                hour: UInt8(hms >> 12), minute: UInt8(hms >> 6 & 0x3F), second: UInt8(hms & 0x3F), microseconds: micro))
        case .timestamp:
            try need(4)
            return .timestamp(seconds: Int64(little(4)), microseconds: 0)
        case .timestamp2(let fsp):
            try need(4 + (fsp + 1) / 2)
            let seconds = Int64(big(4))
            let micro = fraction(fsp)
            guard micro < 1_000_000 else { throw self.failure(column: column, offset: start, "TIMESTAMP fraction out of range") }
            return .timestamp(seconds: seconds, microseconds: micro)
        case .lengthPrefixed(let size):
            try need(size)
            let length = little(size)
            guard length <= UInt64(body.count - cursor) else {
                throw self.failure(column: column, offset: start, "length \(length) exceeds the \(body.count - cursor) bytes left")
            }
            let bytes = Array(UnsafeBufferPointer(rebasing: body[cursor..<cursor + Int(length)]))
            cursor += Int(length)
            return .bytes(bytes)
        case .enumeration(let size):
            try need(size)
            return .enumIndex(UInt16(little(size)))
        case .set(let size):
            try need(size)
            return .setBits(little(size))
        case .bit(let size):
            try need(size)
            return .bit(big(size))
        case .null:
            return .null
        }
    }
}
