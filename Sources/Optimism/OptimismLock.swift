public import BinaryCoding
public import Domain
public import Schema

extension Optimism {
    /// One upstream table as a lock sees it.
    public struct LockTable: Sendable, Equatable, Codable, BinaryCodable {
        /// The schema that counts for the join (DM's `tables[t]`).
        public var schema: TableInfo
        /// The schema a conflicting DDL would give the table while it waits (DM's `conflictTables[t]`).
        public var conflict: TableInfo?
        /// The latest operation issued to the table, if any.
        public var operation: OptimismOperation?
        /// Whether the latest operation is done; a table without an operation has nothing to do.
        public var done: Bool
        /// Released by an operator: need not match the joined schema for the lock to resolve.
        public var unlocked: Bool
        /// The table's latest Info in this lock (its DDLs are what `unlock --action exec` runs).
        public var lastInfo: OptimismInfo?

        public init(schema: TableInfo) {
            self.schema = schema
            self.conflict = nil
            self.operation = nil
            self.done = true
            self.unlocked = false
            self.lastInfo = nil
        }

        /// The schema once the pending conflicting DDL is applied (DM's `finalTables[t]`).
        public var final: TableInfo { self.conflict ?? self.schema }

        /// Whether the worker waits on something other than itself: a conflict or an operator.
        public var isStuck: Bool { !self.done && (self.operation?.stage.isStuck ?? false) }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.schema)
            writer.writeOptional(self.conflict)
            writer.writeOptional(self.operation)
            writer.writeBool(self.done)
            writer.writeBool(self.unlocked)
            writer.writeOptional(self.lastInfo)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.schema = try reader.read()
            self.conflict = try reader.readOptional()
            self.operation = try reader.readOptional()
            self.done = try reader.readBool()
            self.unlocked = try reader.readBool()
            self.lastInfo = try reader.readOptional()
        }
    }

    /// A shard-DDL lock in optimistic mode: one downstream table of one task.
    public struct Lock: Sendable, Equatable, Codable, BinaryCodable {
        public var id: LockID
        public var task: TaskName
        public var downstream: TableName
        /// The join of every table's `schema`; `nil` when they have no common upper bound.
        public var joined: TableInfo?
        public var tables: [SourceTable: LockTable]
        /// Partially dropped columns (lower-cased name) → table → stage.
        public var droppedColumns: [String: [SourceTable: DropColumnStage]]
        /// The id the next operation of this lock gets.
        public var nextOperationID: UInt64

        public init(id: LockID, task: TaskName, downstream: TableName, tables: [SourceTable: TableInfo], joined: TableInfo?) {
            self.id = id
            self.task = task
            self.downstream = downstream
            self.joined = joined
            self.tables = tables.mapValues(LockTable.init(schema:))
            self.droppedColumns = [:]
            self.nextOperationID = 1
        }

        /// Every table's schema in table order, the order every join of this lock uses.
        var orderedSchemas: [TableInfo] { self.tables.keys.sorted().map { self.tables[$0]!.schema } }

        /// The join of every table's schema, from scratch.
        func recomputedJoined() -> TableInfo? { Lattice.joinAll(self.orderedSchemas) }

        public var hasConflicts: Bool { self.tables.values.contains { $0.conflict != nil } }

        /// Tables whose schema is not (yet) the joined one (DM's "unsynced").
        public var unsyncedTables: [SourceTable] {
            self.tables.keys.sorted().filter { key in
                guard let joined = self.joined else { return true }
                return !Lattice.equal(joined, self.tables[key]!.schema)
            }
        }

        /// Whether every table has the joined schema (DM's `IsSynced`).
        public var isSynced: Bool { self.unsyncedTables.isEmpty }

        /// Tables whose latest operation is not done yet, in table order.
        public var pendingTables: [SourceTable] { self.tables.keys.sorted().filter { !self.tables[$0]!.done } }

        /// Tables stuck in `detected`, `skip and wait for redirect` or `error`, in table order.
        public var stuckTables: [SourceTable] { self.tables.keys.sorted().filter { self.tables[$0]!.isStuck } }

        /// DM's `blockDDLOwner` in `query-status`: the first stuck table as ``source-`schema`.`table` ``,
        /// or the empty string.
        public var blockDDLOwner: String { self.stuckTables.first?.description ?? "" }

        /// The DDLs a table is blocked on (its latest Info's), or none when it is not waiting.
        public func blockingDDLs(of table: SourceTable) -> [String] {
            guard let entry = self.tables[table], !entry.done else { return [] }
            return entry.lastInfo?.ddls ?? []
        }

        /// Every table's stage, for `shard-ddl-lock` and the API; `nil` for a table without an operation.
        public var stages: [SourceTable: ConflictStage?] { self.tables.mapValues { $0.operation?.stage } }

        /// Resolved: no conflicts, every operation done, every table not released by an operator
        /// has the same schema. Such a lock is removed at once.
        public var isResolved: Bool {
            guard self.tables.values.allSatisfy({ $0.done && $0.conflict == nil }) else { return false }
            var reference: TableInfo?
            for key in self.tables.keys.sorted() {
                let entry = self.tables[key]!
                guard !entry.unlocked else { continue }
                if let reference {
                    guard Lattice.equal(reference, entry.schema) else { return false }
                } else {
                    reference = entry.schema
                }
            }
            return true
        }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.id)
            writer.write(self.task)
            writer.write(self.downstream)
            writer.writeOptional(self.joined)
            writer.writeDictionary(self.tables)
            writer.writeVarUInt(UInt64(self.droppedColumns.count))
            for column in self.droppedColumns.keys.sorted() {
                writer.writeString(column)
                writer.writeDictionary(self.droppedColumns[column]!)
            }
            writer.writeVarUInt(self.nextOperationID)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.id = try reader.read()
            self.task = try reader.read()
            self.downstream = try reader.read()
            self.joined = try reader.readOptional()
            self.tables = try reader.readDictionary()
            self.droppedColumns = try reader.readDictionary()
            self.nextOperationID = try reader.readVarUInt()
        }
    }
}
