public import BinaryCoding
public import Domain
public import Schema

extension Optimism {
    /// One upstream table as a lock sees it.
    ///
    /// A value type backed by one copy-on-write box: a lock holds hundreds of these in a
    /// dictionary, and a decision copies that dictionary; copying a box costs one retain where
    /// the fields inline would cost a large memmove and dozens of retains.
    public struct LockTable: Sendable, Equatable, Codable, BinaryCodable {
        private final class Storage: @unchecked Sendable {
            var schema: TableInfo
            var conflict: TableInfo? { didSet { self.hasConflict = self.conflict != nil } }
            /// `conflict != nil`, kept apart: scans over hundreds of tables read only this.
            var hasConflict: Bool
            var operation: OptimismOperation?
            var done: Bool
            var unlocked: Bool
            var lastInfo: OptimismInfo?

            init(
                schema: TableInfo, conflict: TableInfo?, operation: OptimismOperation?, done: Bool, unlocked: Bool,
                lastInfo: OptimismInfo?
            ) {
                self.schema = schema
                self.conflict = conflict
                self.hasConflict = conflict != nil
                self.operation = operation
                self.done = done
                self.unlocked = unlocked
                self.lastInfo = lastInfo
            }

            func copy() -> Storage {
                Storage(
                    schema: self.schema, conflict: self.conflict, operation: self.operation, done: self.done,
                    unlocked: self.unlocked, lastInfo: self.lastInfo)
            }
        }

        private var storage: Storage

        private var unique: Storage {
            mutating get {
                if !isKnownUniquelyReferenced(&self.storage) { self.storage = self.storage.copy() }
                return self.storage
            }
        }

        /// The schema that counts for the join (DM's `tables[t]`).
        public var schema: TableInfo {
            get { self.storage.schema }
            set { self.unique.schema = newValue }
        }
        /// The schema a conflicting DDL would give the table while it waits (DM's `conflictTables[t]`).
        public var conflict: TableInfo? {
            get { self.storage.conflict }
            set { self.unique.conflict = newValue }
        }
        /// The latest operation issued to the table, if any.
        public var operation: OptimismOperation? {
            get { self.storage.operation }
            set { self.unique.operation = newValue }
        }
        /// Whether the latest operation is done; a table without an operation has nothing to do.
        public var done: Bool {
            get { self.storage.done }
            set { self.unique.done = newValue }
        }
        /// Released by an operator: need not match the joined schema for the lock to resolve.
        public var unlocked: Bool {
            get { self.storage.unlocked }
            set { self.unique.unlocked = newValue }
        }
        /// The table's latest Info in this lock (its DDLs are what `unlock --action exec` runs).
        public var lastInfo: OptimismInfo? {
            get { self.storage.lastInfo }
            set { self.unique.lastInfo = newValue }
        }

        public init(schema: TableInfo) {
            self.storage = Storage(schema: schema, conflict: nil, operation: nil, done: true, unlocked: false, lastInfo: nil)
        }

        /// The schema once the pending conflicting DDL is applied (DM's `finalTables[t]`).
        public var final: TableInfo { self.storage.conflict ?? self.storage.schema }

        /// Whether the worker waits on something other than itself: a conflict or an operator.
        public var isStuck: Bool { !self.storage.done && (self.storage.operation?.stage.isStuck ?? false) }

        /// Whether a conflicting DDL is pending, without copying the schema out.
        var hasConflict: Bool { self.storage.hasConflict }

        /// Records an operation's outcome for this table in one write (`evolve`'s hot path).
        mutating func apply(_ op: OptimismOperation, _ update: OptimismTableUpdate) {
            let storage = self.unique
            storage.schema = update.schema
            storage.conflict = update.conflict
            storage.unlocked = update.unlocked
            storage.operation = op
            storage.done = false
        }

        /// Marks the operation with this id done, if it is the current one.
        mutating func markDone(_ operation: UInt64) {
            guard self.storage.operation?.id == operation, !self.storage.done else { return }
            self.unique.done = true
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            if lhs.storage === rhs.storage { return true }
            let a = lhs.storage
            let b = rhs.storage
            return a.done == b.done && a.unlocked == b.unlocked && a.operation == b.operation && a.schema == b.schema
                && a.conflict == b.conflict && a.lastInfo == b.lastInfo
        }

        private enum CodingKeys: String, CodingKey { case schema, conflict, operation, done, unlocked, lastInfo }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(self.schema, forKey: .schema)
            try c.encodeIfPresent(self.conflict, forKey: .conflict)
            try c.encodeIfPresent(self.operation, forKey: .operation)
            try c.encode(self.done, forKey: .done)
            try c.encode(self.unlocked, forKey: .unlocked)
            try c.encodeIfPresent(self.lastInfo, forKey: .lastInfo)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.storage = Storage(
                schema: try c.decode(TableInfo.self, forKey: .schema),
                conflict: try c.decodeIfPresent(TableInfo.self, forKey: .conflict),
                operation: try c.decodeIfPresent(OptimismOperation.self, forKey: .operation),
                done: try c.decode(Bool.self, forKey: .done),
                unlocked: try c.decode(Bool.self, forKey: .unlocked),
                lastInfo: try c.decodeIfPresent(OptimismInfo.self, forKey: .lastInfo))
        }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.schema)
            writer.writeOptional(self.conflict)
            writer.writeOptional(self.operation)
            writer.writeBool(self.done)
            writer.writeBool(self.unlocked)
            writer.writeOptional(self.lastInfo)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.storage = Storage(
                schema: try reader.read(), conflict: try reader.readOptional(), operation: try reader.readOptional(),
                done: try reader.readBool(), unlocked: try reader.readBool(), lastInfo: try reader.readOptional())
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

        public init(id: LockID, task: TaskName, downstream: TableName, tables: [SourceTable: TableInfo], joined: TableInfo?) {
            self.id = id
            self.task = task
            self.downstream = downstream
            self.joined = joined
            self.tables = tables.mapValues(LockTable.init(schema:))
            self.droppedColumns = [:]
        }

        /// Every table's schema in table order, the order every join of this lock uses.
        var orderedSchemas: [TableInfo] { self.tables.keys.sorted().map { self.tables[$0]!.schema } }

        /// The join of every table's schema, from scratch.
        func recomputedJoined() -> TableInfo? { Lattice.joinAll(self.orderedSchemas) }

        public var hasConflicts: Bool {
            for entry in self.tables.values where entry.hasConflict { return true }
            return false
        }

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
            // Cheap flags first: while any table is pending or conflicting, no schema is compared.
            for entry in self.tables.values where !entry.done || entry.hasConflict { return false }
            // Lattice equality is an equivalence, so any table can be the reference; the joined
            // schema is the usual one (everyone caught up with it), which spares the lattice.
            var reference = self.joined
            for entry in self.tables.values where !entry.unlocked {
                if let reference {
                    guard Lattice.equal(reference, entry.schema) else {
                        // The joined schema can be bigger than every table that counts (released
                        // tables count in the join): fall back to the first table that counts.
                        return self.allCountingTablesEqual()
                    }
                } else {
                    reference = entry.schema
                }
            }
            return true
        }

        private func allCountingTablesEqual() -> Bool {
            var reference: TableInfo?
            for entry in self.tables.values where !entry.unlocked {
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
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.id = try reader.read()
            self.task = try reader.read()
            self.downstream = try reader.read()
            self.joined = try reader.readOptional()
            self.tables = try reader.readDictionary()
            self.droppedColumns = try reader.readDictionary()
        }
    }
}
