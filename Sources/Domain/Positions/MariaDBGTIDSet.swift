public import BinaryCoding

/// One MariaDB GTID, `domain-server-sequence`.
public struct MariaDBGTID: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    public var domain: UInt32
    public var server: UInt32
    public var sequence: UInt64

    public init(domain: UInt32, server: UInt32, sequence: UInt64) {
        self.domain = domain
        self.server = server
        self.sequence = sequence
    }

    public var description: String { "\(self.domain)-\(self.server)-\(self.sequence)" }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.domain)
        writer.write(self.server)
        writer.writeVarUInt(self.sequence)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.domain = try reader.read(UInt32.self)
        self.server = try reader.read(UInt32.self)
        self.sequence = try reader.readVarUInt()
    }
}

/// A MariaDB GTID position, `0-1-100,1-2-50`: per replication domain, the last applied GTID.
///
/// Within a domain, sequence numbers grow monotonically regardless of the server that wrote
/// them, so the domain's position is the GTID with the highest sequence: a position "contains"
/// another when it is at or past it in every domain the other names. Parsing keeps the maximum
/// when a domain appears twice; `==` compares the canonical per-domain maxima.
public struct MariaDBGTIDSet: Sendable, Hashable, CanonicalText, BinaryCodable {
    /// Domain id to the GTID with the highest sequence number in that domain.
    public private(set) var domains: [UInt32: MariaDBGTID]

    public init() { self.domains = [:] }

    public init(_ gtids: [MariaDBGTID]) {
        self.domains = [:]
        for gtid in gtids { self.insert(gtid) }
    }

    public var isEmpty: Bool { self.domains.isEmpty }

    /// Keeps `gtid` if it is the domain's first or is further along than the current one.
    public mutating func insert(_ gtid: MariaDBGTID) {
        if let current = self.domains[gtid.domain], current.sequence >= gtid.sequence { return }
        self.domains[gtid.domain] = gtid
    }

    public static func parse(_ text: String) throws(PositionError) -> MariaDBGTIDSet {
        var set = MariaDBGTIDSet()
        let compact = String(text.filter { $0 != " " && $0 != "\n" && $0 != "\r" && $0 != "\t" })
        if compact.isEmpty { return set }
        for part in compact.split(separator: ",", omittingEmptySubsequences: false) {
            let fields = part.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 3, fields.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } })
            else {
                throw PositionError(
                    .malformed,
                    "MariaDB GTID set \"\(text)\": \"\(part)\" is not domain-server-sequence"
                )
            }
            guard let domain = UInt32(fields[0]), let server = UInt32(fields[1]), let sequence = UInt64(fields[2])
            else {
                throw PositionError(
                    .outOfRange,
                    "MariaDB GTID set \"\(text)\": \"\(part)\" overflows (domain and server are 32-bit, sequence 64-bit)"
                )
            }
            set.insert(MariaDBGTID(domain: domain, server: server, sequence: sequence))
        }
        return set
    }

    /// Whether this position is at or past `other` in every domain `other` names.
    public func contains(_ other: MariaDBGTIDSet) -> Bool {
        other.domains.allSatisfy { domain, theirs in
            guard let mine = self.domains[domain] else { return false }
            return mine.sequence >= theirs.sequence
        }
    }

    /// Per domain, the further of the two GTIDs.
    public func union(_ other: MariaDBGTIDSet) -> MariaDBGTIDSet {
        var result = self
        for gtid in other.domains.values { result.insert(gtid) }
        return result
    }

    /// Canonical text: domains in ascending order, joined by `,`.
    public var description: String {
        self.domains.keys.sorted().map { self.domains[$0]!.description }.joined(separator: ",")
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeArray(self.domains.keys.sorted().map { self.domains[$0]! })
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let list = try reader.readArray(MariaDBGTID.self)
        self.init(list)
        guard self.domains.count == list.count else {
            throw BinaryDecodingError(.invalidValue, at: at, "MariaDB GTID set repeats a domain")
        }
    }
}
