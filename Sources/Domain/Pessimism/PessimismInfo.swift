public import BinaryCoding

/// A worker's report that one source reached a shard DDL for a downstream table (DM's pessimism
/// `Info`, keyed per task and source).
///
/// `downstream` is the routed target table, so every source merging into it reports the same
/// lock id. `ddls` are the single-spec statements the worker split the upstream DDL into.
public struct PessimismInfo: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    public var task: TaskName
    public var source: SourceID
    public var downstream: TableName
    public var ddls: [String]

    public init(task: TaskName, source: SourceID, downstream: TableName, ddls: [String]) {
        self.task = task
        self.source = source
        self.downstream = downstream
        self.ddls = ddls
    }

    /// The lock this Info belongs to, ``task-`schema`.`table` ``.
    public var lockID: LockID { LockID(task: self.task, downstream: self.downstream) }

    /// True if `other` carries the same DDLs as far as the lock is concerned (DM's
    /// `CompareShardingDDLs`): same length and set-equal, order-insensitive.
    public func hasSameDDLs(as other: [String]) -> Bool {
        Self.ddlsMatch(self.ddls, other)
    }

    /// DM's `CompareShardingDDLs`: same length and every statement of one is in the other.
    public static func ddlsMatch(_ a: [String], _ b: [String]) -> Bool {
        a.count == b.count && Set(a) == Set(b)
    }

    /// DDLs printed the way DM's Go error messages print a string slice: `[a b]`.
    public static func render(_ ddls: [String]) -> String {
        "[" + ddls.joined(separator: " ") + "]"
    }

    public var description: String {
        "info{task \(self.task), source \(self.source), table \(self.downstream), ddls \(Self.render(self.ddls))}"
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.task)
        writer.write(self.source)
        writer.write(self.downstream)
        writer.writeArray(self.ddls)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.task = try reader.read()
        self.source = try reader.read()
        self.downstream = try reader.read()
        self.ddls = try reader.readArray()
    }
}
