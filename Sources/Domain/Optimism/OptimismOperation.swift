public import BinaryCoding
public import Schema

/// The master's answer to one table of an optimistic lock (DM's optimism `Operation`).
///
/// A table has at most one current operation; a newer one (higher `id`) supersedes it, and a
/// `done` naming an older id is stale (dm#936: a done must never complete a newer Info).
public struct OptimismOperation: Sendable, Hashable, Codable, BinaryCodable {
    public var lock: LockID
    public var table: SourceTable
    /// Unique within the lock, increasing in issue order.
    public var id: UInt64
    /// What the worker executes downstream; empty means "execute nothing, but proceed".
    public var ddls: [String]
    public var stage: ConflictStage
    /// Why the table is stuck or failed; empty otherwise.
    public var message: String
    /// Columns this table dropped that are still present downstream (tracked as `DropNotDone`).
    public var cols: [String]
    /// Columns whose `DROP COLUMN` is among `ddls`, i.e. executed downstream when this is done.
    public var executedDrops: [String]

    public init(
        lock: LockID, table: SourceTable, id: UInt64, ddls: [String], stage: ConflictStage, message: String = "",
        cols: [String] = [], executedDrops: [String] = []
    ) {
        self.lock = lock
        self.table = table
        self.id = id
        self.ddls = ddls
        self.stage = stage
        self.message = message
        self.cols = cols
        self.executedDrops = executedDrops
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.lock)
        writer.write(self.table)
        writer.writeVarUInt(self.id)
        writer.writeArray(self.ddls)
        writer.write(self.stage)
        writer.writeString(self.message)
        writer.writeArray(self.cols)
        writer.writeArray(self.executedDrops)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.lock = try reader.read()
        self.table = try reader.read()
        self.id = try reader.readVarUInt()
        self.ddls = try reader.readArray()
        self.stage = try reader.read()
        self.message = try reader.readString()
        self.cols = try reader.readArray()
        self.executedDrops = try reader.readArray()
    }
}

/// The lock's view of one table after a decision: recorded with the operation so that `evolve`
/// applies the outcome instead of re-running the join.
public struct OptimismTableUpdate: Sendable, Hashable, Codable, BinaryCodable {
    /// The table's schema as far as the joined schema is concerned (DM's `tables[t]`).
    public var schema: TableInfo
    /// The schema a conflicting DDL would give it, while it waits (DM's `conflictTables[t]`).
    public var conflict: TableInfo?
    /// Released by an operator: no longer has to match the joined schema for the lock to resolve.
    public var unlocked: Bool
    /// The lock's joined schema after the decision; `nil` when the tables do not join.
    public var joined: TableInfo?

    public init(schema: TableInfo, conflict: TableInfo?, unlocked: Bool, joined: TableInfo?) {
        self.schema = schema
        self.conflict = conflict
        self.unlocked = unlocked
        self.joined = joined
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.schema)
        writer.writeOptional(self.conflict)
        writer.writeBool(self.unlocked)
        writer.writeOptional(self.joined)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.schema = try reader.read()
        self.conflict = try reader.readOptional()
        self.unlocked = try reader.readBool()
        self.joined = try reader.readOptional()
    }
}
