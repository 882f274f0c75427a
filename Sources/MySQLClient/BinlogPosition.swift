/// A point in an upstream's binlog: file name and byte offset of the next event.
public struct BinlogPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var position: UInt64

    public init(file: String, position: UInt64) {
        self.file = file
        self.position = position
    }

    /// Binlog files share a base name and a zero-padded sequence suffix, so plain ordering of
    /// (file, position) is chronological within one server.
    public static func < (lhs: BinlogPosition, rhs: BinlogPosition) -> Bool {
        (lhs.file, lhs.position) < (rhs.file, rhs.position)
    }

    public var description: String { "\(self.file):\(self.position)" }
}

/// A MariaDB GTID `domain-server-sequence`.
public struct MariaDBGTID: Sendable, Hashable, CustomStringConvertible {
    public var domain: UInt32
    public var serverID: UInt32
    public var sequence: UInt64

    public init(domain: UInt32, serverID: UInt32, sequence: UInt64) {
        self.domain = domain
        self.serverID = serverID
        self.sequence = sequence
    }

    /// Parses `0-1-64`; nil when malformed.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let d = UInt32(parts[0]), let s = UInt32(parts[1]), let n = UInt64(parts[2]) else { return nil }
        self.init(domain: d, serverID: s, sequence: n)
    }

    public var description: String { "\(self.domain)-\(self.serverID)-\(self.sequence)" }
}
