public import BinaryCoding

/// A closed range of MySQL transaction numbers, `start...end`, both at least 1.
public struct GTIDInterval: Sendable, Hashable, Comparable, Codable, BinaryCodable, CustomStringConvertible {
    public var start: UInt64
    public var end: UInt64

    public init(_ start: UInt64, _ end: UInt64) {
        precondition(start >= 1 && start <= end, "GTID interval \(start)-\(end) is invalid")
        self.start = start
        self.end = end
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.start, lhs.end) < (rhs.start, rhs.end) }

    /// `7` for a single transaction, `1-5` otherwise, as MySQL prints it.
    public var description: String { self.start == self.end ? "\(self.start)" : "\(self.start)-\(self.end)" }

    public func encode(to writer: inout ByteWriter) {
        writer.writeVarUInt(self.start)
        // The width is usually far smaller than the end, so it encodes in fewer bytes.
        writer.writeVarUInt(self.end - self.start)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let start = try reader.readVarUInt()
        let width = try reader.readVarUInt()
        guard start >= 1, width <= UInt64.max - start else {
            throw BinaryDecodingError(.invalidValue, at: at, "GTID interval start \(start) width \(width)")
        }
        self.start = start
        self.end = start + width
    }
}

/// A MySQL GTID set, `3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,<uuid>:1-3`: per server UUID,
/// the set of executed transaction numbers.
///
/// The value is kept canonical (lowercase UUIDs, intervals sorted, merged when they overlap or
/// touch), so `==` is set equality and `description` is a stable text. MySQL 8.4 tagged GTIDs
/// (`uuid:tag:1-5`) are not supported yet and fail to parse.
public struct MySQLGTIDSet: Sendable, Hashable, CanonicalText, BinaryCodable {
    /// Server UUID (lowercase) to its sorted, disjoint, non-adjacent intervals.
    public private(set) var intervals: [String: [GTIDInterval]]

    public init() { self.intervals = [:] }

    public init(_ intervals: [String: [GTIDInterval]]) {
        self.intervals = [:]
        for (uuid, list) in intervals { self.insert(uuid: uuid.lowercased(), list) }
    }

    public var isEmpty: Bool { self.intervals.isEmpty }

    /// Parses MySQL's text form; whitespace and newlines (as `@@gtid_executed` prints them) are ignored.
    public static func parse(_ text: String) throws(PositionError) -> MySQLGTIDSet {
        var set = MySQLGTIDSet()
        let compact = String(text.filter { $0 != " " && $0 != "\n" && $0 != "\r" && $0 != "\t" })
        if compact.isEmpty { return set }
        for part in compact.split(separator: ",", omittingEmptySubsequences: false) {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 2 else {
                throw PositionError(.malformed, "MySQL GTID set \"\(text)\": \"\(part)\" has no transaction interval")
            }
            let uuid = fields[0].lowercased()
            guard Self.isUUID(uuid) else {
                throw PositionError(.malformed, "MySQL GTID set \"\(text)\": \"\(fields[0])\" is not a server UUID")
            }
            var list: [GTIDInterval] = []
            for field in fields.dropFirst() {
                list.append(try Self.parseInterval(field, in: text))
            }
            set.insert(uuid: uuid, list)
        }
        return set
    }

    private static func parseInterval(_ field: Substring, in text: String) throws(PositionError) -> GTIDInterval {
        let bounds = field.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 1 || bounds.count == 2,
            bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } })
        else {
            throw PositionError(.malformed, "MySQL GTID set \"\(text)\": interval \"\(field)\" is not N or N-M")
        }
        guard let start = UInt64(bounds[0]), let end = UInt64(bounds[bounds.count - 1]) else {
            throw PositionError(.outOfRange, "MySQL GTID set \"\(text)\": interval \"\(field)\" overflows 64 bits")
        }
        guard start >= 1, start <= end else {
            throw PositionError(
                .outOfRange,
                "MySQL GTID set \"\(text)\": interval \"\(field)\" must satisfy 1 <= start <= end"
            )
        }
        return GTIDInterval(start, end)
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits.
    static func isUUID(_ s: String) -> Bool {
        let utf8 = Array(s.utf8)
        guard utf8.count == 36 else { return false }
        for (i, c) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return false }
            } else {
                let hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
                guard hex else { return false }
            }
        }
        return true
    }

    private mutating func insert(uuid: String, _ added: [GTIDInterval]) {
        guard !added.isEmpty else { return }
        let merged = Self.normalize((self.intervals[uuid] ?? []) + added)
        self.intervals[uuid] = merged
    }

    /// Sorts and merges overlapping or touching intervals (`1-3` and `4-5` become `1-5`).
    static func normalize(_ list: [GTIDInterval]) -> [GTIDInterval] {
        var result: [GTIDInterval] = []
        for interval in list.sorted() {
            if let last = result.last, last.end == UInt64.max || interval.start <= last.end + 1 {
                result[result.count - 1].end = max(last.end, interval.end)
            } else {
                result.append(interval)
            }
        }
        return result
    }

    /// Whether transaction `gno` of server `uuid` is in the set.
    public func contains(uuid: String, transaction gno: UInt64) -> Bool {
        guard let list = self.intervals[uuid.lowercased()] else { return false }
        return list.contains { $0.start <= gno && gno <= $0.end }
    }

    /// Whether every transaction of `other` is in this set.
    public func contains(_ other: MySQLGTIDSet) -> Bool {
        for (uuid, theirs) in other.intervals {
            guard let mine = self.intervals[uuid] else { return false }
            for interval in theirs where !mine.contains(where: { $0.start <= interval.start && interval.end <= $0.end })
            {
                return false
            }
        }
        return true
    }

    public func union(_ other: MySQLGTIDSet) -> MySQLGTIDSet {
        var result = self
        for (uuid, list) in other.intervals { result.insert(uuid: uuid, list) }
        return result
    }

    /// Canonical text: UUIDs in order, joined by `,` without the newlines MySQL adds.
    public var description: String {
        self.intervals.keys.sorted().map { uuid in
            ([uuid] + self.intervals[uuid]!.map(\.description)).joined(separator: ":")
        }.joined(separator: ",")
    }

    public func encode(to writer: inout ByteWriter) { writer.writeDictionary(self.intervals) }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let raw = try reader.readDictionary(String.self, [GTIDInterval].self)
        self.init(raw)
        guard self.intervals == raw else {
            throw BinaryDecodingError(.invalidValue, at: at, "MySQL GTID set is not in canonical form")
        }
    }
}
