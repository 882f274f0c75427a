public import BinaryCoding

/// One upstream table of one source: the unit an optimistic lock tracks.
///
/// Its description is DM's owner format, ``source-`schema`.`table` ``, which `shard-ddl-lock`
/// and `query-status` print as a lock's owner or a blocked table.
public struct SourceTable: Sendable, Hashable, Comparable, Codable, BinaryCodable, CustomStringConvertible {
    public var source: SourceID
    public var table: TableName

    public init(source: SourceID, table: TableName) {
        self.source = source
        self.table = table
    }

    public var description: String { "\(self.source.rawValue)-\(self.table.quoted)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.source, lhs.table) < (rhs.source, rhs.table) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.source)
        writer.write(self.table)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.source = try reader.read()
        self.table = try reader.read()
    }
}
