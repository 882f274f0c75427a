public import BinaryCoding

/// A GTID set of either flavor. The flavors have different semantics (MySQL: a set of
/// transactions per server; MariaDB: a position per domain), so operations across flavors fail
/// or answer `false` rather than guess.
public enum GTIDSet: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    case mysql(MySQLGTIDSet)
    case mariadb(MariaDBGTIDSet)

    public var flavor: DatabaseFlavor {
        switch self {
        case .mysql: .mysql
        case .mariadb: .mariadb
        }
    }

    /// An empty set of `flavor`.
    public static func empty(_ flavor: DatabaseFlavor) -> GTIDSet {
        switch flavor {
        case .mysql: .mysql(MySQLGTIDSet())
        case .mariadb: .mariadb(MariaDBGTIDSet())
        }
    }

    public static func parse(_ text: String, flavor: DatabaseFlavor) throws(PositionError) -> GTIDSet {
        switch flavor {
        case .mysql: .mysql(try MySQLGTIDSet.parse(text))
        case .mariadb: .mariadb(try MariaDBGTIDSet.parse(text))
        }
    }

    public var isEmpty: Bool {
        switch self {
        case .mysql(let s): s.isEmpty
        case .mariadb(let s): s.isEmpty
        }
    }

    /// Whether this set includes `other`; always `false` across flavors.
    public func contains(_ other: GTIDSet) -> Bool {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): a.contains(b)
        case (.mariadb(let a), .mariadb(let b)): a.contains(b)
        case (.mysql, .mariadb), (.mariadb, .mysql): false
        }
    }

    public func union(_ other: GTIDSet) throws(PositionError) -> GTIDSet {
        switch (self, other) {
        case (.mysql(let a), .mysql(let b)): return .mysql(a.union(b))
        case (.mariadb(let a), .mariadb(let b)): return .mariadb(a.union(b))
        case (.mysql, .mariadb), (.mariadb, .mysql):
            throw PositionError(.flavorMismatch, "cannot union a \(self.flavor) GTID set with a \(other.flavor) one")
        }
    }

    /// The canonical text of the set (without the flavor).
    public var description: String {
        switch self {
        case .mysql(let s): s.description
        case .mariadb(let s): s.description
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.flavor)
        switch self {
        case .mysql(let s): writer.write(s)
        case .mariadb(let s): writer.write(s)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        switch try reader.read(DatabaseFlavor.self) {
        case .mysql: self = .mysql(try reader.read(MySQLGTIDSet.self))
        case .mariadb: self = .mariadb(try reader.read(MariaDBGTIDSet.self))
        }
    }

    private enum CodingKeys: String, CodingKey {
        case flavor
        case set
    }

    /// JSON form: `{"flavor": "mysql", "set": "uuid:1-5"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let flavor = try container.decode(DatabaseFlavor.self, forKey: .flavor)
        let text = try container.decode(String.self, forKey: .set)
        do { self = try Self.parse(text, flavor: flavor) } catch {
            throw DecodingError.dataCorruptedError(forKey: .set, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.flavor, forKey: .flavor)
        try container.encode(self.description, forKey: .set)
    }
}
