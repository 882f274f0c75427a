public import BinaryCoding
public import Schema

/// A worker's report that one upstream table ran DDLs (DM's optimism `Info`).
///
/// It carries the table's schema before the DDLs and after each one, so the master can join
/// schemas without parsing SQL, and so that replaying the log needs nothing but the log.
public struct OptimismInfo: Sendable, Hashable, Codable, BinaryCodable {
    public var task: TaskName
    public var source: SourceID
    /// The upstream table that ran the DDLs.
    public var upstream: TableName
    /// The downstream table it is routed to; with `task`, it names the lock.
    public var downstream: TableName
    /// The DDLs, one per schema change (the worker splits multi-spec ALTERs, P15).
    public var ddls: [String]
    public var tableInfoBefore: TableInfo
    /// `tableInfosAfter[i]` is the schema after `ddls[i]`.
    public var tableInfosAfter: [TableInfo]

    public init(
        task: TaskName, source: SourceID, upstream: TableName, downstream: TableName, ddls: [String],
        tableInfoBefore: TableInfo, tableInfosAfter: [TableInfo]
    ) {
        self.task = task
        self.source = source
        self.upstream = upstream
        self.downstream = downstream
        self.ddls = ddls
        self.tableInfoBefore = tableInfoBefore
        self.tableInfosAfter = tableInfosAfter
    }

    public var lockID: LockID { LockID(task: self.task, downstream: self.downstream) }
    public var sourceTable: SourceTable { SourceTable(source: self.source, table: self.upstream) }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.task)
        writer.write(self.source)
        writer.write(self.upstream)
        writer.write(self.downstream)
        writer.writeArray(self.ddls)
        writer.write(self.tableInfoBefore)
        writer.writeArray(self.tableInfosAfter)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.task = try reader.read()
        self.source = try reader.read()
        self.upstream = try reader.read()
        self.downstream = try reader.read()
        self.ddls = try reader.readArray()
        self.tableInfoBefore = try reader.read()
        self.tableInfosAfter = try reader.readArray()
    }
}
