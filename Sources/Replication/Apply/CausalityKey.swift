import Domain
import MySQLClient

/// A stable 64-bit digest of one unique-key value of one table (FNV-1a).
///
/// Stable across processes on purpose: the writer a change goes to must be the same after a restart,
/// because each writer's checkpoint says which of *its* changes are already downstream.
public struct CausalityKey: Sendable, Hashable {
    public let digest: UInt64

    init(table: TableName, keyIndex: Int, columns: [Int], row: [MySQLValue]) {
        var h = FNV1a()
        h.bytes(table.schema.lowercased().utf8)
        h.byte(0)
        h.bytes(table.table.lowercased().utf8)
        h.byte(0)
        h.word(UInt64(keyIndex))
        for column in columns {
            switch row[column] {
            case .null: h.byte(1)
            case .int(let v): h.byte(2); h.word(UInt64(bitPattern: v))
            case .uint(let v): h.byte(2); h.word(v)  // same tag as int: equal numbers hash alike
            case .float(let v): h.byte(3); h.word(Double(v).bitPattern)
            case .double(let v): h.byte(3); h.word(v.bitPattern)
            case .decimal(let v): h.byte(4); h.bytes(v.utf8)
            case .bytes(let v): h.byte(5); h.word(UInt64(v.count)); h.bytes(v)
            case .enumIndex(let v): h.byte(6); h.word(UInt64(v))
            case .setBits(let v): h.byte(7); h.word(v)
            case .bit(let v): h.byte(8); h.word(v)
            case .date(let d): h.byte(9); h.word(UInt64(d.year) << 16 | UInt64(d.month) << 8 | UInt64(d.day))
            case .time(let t):
                h.byte(10); h.byte(t.negative ? 1 : 0); h.word(UInt64(t.hours))
                h.word(UInt64(t.minutes) << 8 | UInt64(t.seconds)); h.word(UInt64(t.microseconds))
            case .datetime(let t):
                h.byte(11); h.word(UInt64(t.date.year) << 16 | UInt64(t.date.month) << 8 | UInt64(t.date.day))
                h.word(UInt64(t.hour) << 16 | UInt64(t.minute) << 8 | UInt64(t.second)); h.word(UInt64(t.microseconds))
            case .timestamp(let s, let us): h.byte(12); h.word(UInt64(bitPattern: s)); h.word(UInt64(us))
            }
        }
        self.digest = h.value
    }
}

/// 64-bit FNV-1a: tiny, and the same in every process (Swift's `Hasher` is seeded per process).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func byte(_ b: UInt8) {
        self.value ^= UInt64(b)
        self.value &*= 0x100_0000_01b3
    }

    mutating func bytes<S: Sequence<UInt8>>(_ s: S) { for b in s { self.byte(b) } }

    mutating func word(_ w: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { self.byte(UInt8(truncatingIfNeeded: w >> UInt64(shift))) }
    }
}
