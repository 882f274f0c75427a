/// Braid's key layout in etcd, one prefix per Braid cluster (ha.md §3.1). etcd holds no projection
/// state: only the election, member heartbeats, the log's chunks and head, and snapshots.
public struct EtcdKeys: Sendable, Hashable {
    public let prefix: String

    public init(cluster: String) { self.prefix = "/braid/\(cluster)/" }

    public var meta: String { self.prefix + "meta" }
    public var electionPrefix: String { self.prefix + "election/" }
    public var membersPrefix: String { self.prefix + "members/" }
    public var head: String { self.prefix + "log/head" }
    public var chunkPrefix: String { self.prefix + "log/c/" }
    /// The latest published snapshot: which sequence, how many parts, their checksum.
    public var snapshotManifest: String { self.prefix + "snap/manifest" }
    public var snapshotPartsPrefix: String { self.prefix + "snap/p/" }

    public func election(lease: Int64) -> String { self.electionPrefix + Self.hex(UInt64(bitPattern: lease)) }
    public func member(_ name: String) -> String { self.membersPrefix + name }
    /// Fixed-width hex keeps etcd's lexical order equal to sequence order.
    public func chunk(firstSequence: UInt64) -> String { self.chunkPrefix + Self.hex(firstSequence) }
    /// Every part of the snapshot at `sequence`; parts of older snapshots sort before it.
    public func snapshotParts(sequence: UInt64) -> String { self.snapshotPartsPrefix + Self.hex(sequence) + "/" }
    public func snapshotPart(sequence: UInt64, index: Int) -> String {
        let digits = String(index, radix: 16)
        return self.snapshotParts(sequence: sequence) + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The smallest key greater than every key starting with `prefix` (etcd's `range_end`).
    public static func end(of prefix: String) -> String {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return String(decoding: bytes, as: UTF8.self)
            }
            bytes.removeLast()
        }
        return "\0"
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
