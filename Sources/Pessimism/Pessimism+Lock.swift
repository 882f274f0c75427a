public import BinaryCoding
public import Domain

extension Pessimism {
    /// One shard-DDL lock: the barrier every expected source of a task must reach for one
    /// downstream table before its DDLs run downstream (DM's `pessimism.Lock`).
    public struct Lock: Sendable, Hashable, Codable, BinaryCodable {
        public var id: LockID
        /// This instance's number; see `PessimismOperation.lockSerial`.
        public var serial: UInt64
        public var task: TaskName
        public var downstream: TableName
        /// The source that executes the DDLs; always synced.
        public var owner: SourceID
        public var ddls: [String]
        /// Every source the lock waits for (the task's sources, minus those that left).
        public var sources: Set<SourceID>
        /// Sources that reported the lock's DDLs, or were counted synced by a manual unlock.
        public var ready: Set<SourceID>
        /// The operation issued to each source, at most one per source. Changed only through
        /// `setOperation`, `markDone` and `removeOperation`, which keep `doneCount` exact.
        public private(set) var operations: [SourceID: PessimismOperation]
        /// The operator's unlock decision, once made.
        public var unlock: UnlockDecision?
        /// How many operations are done: derived from `operations`, kept so "all done" is O(1).
        public private(set) var doneCount: Int

        public init(
            id: LockID,
            serial: UInt64,
            task: TaskName,
            downstream: TableName,
            owner: SourceID,
            ddls: [String],
            sources: Set<SourceID>
        ) {
            self.id = id
            self.serial = serial
            self.task = task
            self.downstream = downstream
            self.owner = owner
            self.ddls = ddls
            self.sources = sources
            self.ready = [owner]
            self.operations = [:]
            self.unlock = nil
            self.doneCount = 0
        }

        private enum CodingKeys: String, CodingKey {
            case id, serial, task, downstream, owner, ddls, sources, ready, operations, unlock
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.id = try c.decode(LockID.self, forKey: .id)
            self.serial = try c.decode(UInt64.self, forKey: .serial)
            self.task = try c.decode(TaskName.self, forKey: .task)
            self.downstream = try c.decode(TableName.self, forKey: .downstream)
            self.owner = try c.decode(SourceID.self, forKey: .owner)
            self.ddls = try c.decode([String].self, forKey: .ddls)
            self.sources = try c.decode(Set<SourceID>.self, forKey: .sources)
            self.ready = try c.decode(Set<SourceID>.self, forKey: .ready)
            self.operations = try c.decode([SourceID: PessimismOperation].self, forKey: .operations)
            self.unlock = try c.decodeIfPresent(UnlockDecision.self, forKey: .unlock)
            self.doneCount = Self.countDone(self.operations)
        }

        private static func countDone(_ operations: [SourceID: PessimismOperation]) -> Int {
            operations.values.reduce(0) { $0 + ($1.done ? 1 : 0) }
        }

        /// Files `operation` under its source, replacing any earlier one.
        mutating func setOperation(_ operation: PessimismOperation) {
            if let old = self.operations.updateValue(operation, forKey: operation.source), old.done { self.doneCount -= 1 }
            if operation.done { self.doneCount += 1 }
        }

        /// Marks the source's operation done; false if it has none.
        @discardableResult
        mutating func markDone(_ source: SourceID) -> Bool {
            guard let index = self.operations.index(forKey: source) else { return false }
            if !self.operations.values[index].done {
                self.operations.values[index].done = true
                self.doneCount += 1
            }
            return true
        }

        mutating func removeOperation(_ source: SourceID) {
            if let old = self.operations.removeValue(forKey: source), old.done { self.doneCount -= 1 }
        }

        /// Every expected source is ready (DM: `remain == 0`). O(1): `ready ⊆ sources` always holds.
        public var isSynced: Bool { self.ready.count == self.sources.count }

        /// Sources that executed or skipped the DDLs.
        public var done: Set<SourceID> { Set(self.operations.values.lazy.filter(\.done).map(\.source)) }

        /// Synced sources, sorted.
        public var syncedSources: [SourceID] { self.ready.sorted() }

        /// Sources the lock still waits for, sorted.
        public var unsyncedSources: [SourceID] { self.sources.subtracting(self.ready).sorted() }

        /// The owner's execute operation, once issued.
        public var execOperation: PessimismOperation? {
            self.operations[self.owner].flatMap { $0.exec ? $0 : nil }
        }

        /// True once every expected source executed or skipped the DDLs.
        /// O(1): operations are only ever issued to ready, hence expected, sources.
        public var isResolved: Bool {
            !self.sources.isEmpty && self.doneCount == self.sources.count
        }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.id)
            writer.writeVarUInt(self.serial)
            writer.write(self.task)
            writer.write(self.downstream)
            writer.write(self.owner)
            writer.writeArray(self.ddls)
            writer.writeSet(self.sources)
            writer.writeSet(self.ready)
            writer.writeDictionary(self.operations)
            writer.writeOptional(self.unlock)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.id = try reader.read()
            self.serial = try reader.readVarUInt()
            self.task = try reader.read()
            self.downstream = try reader.read()
            self.owner = try reader.read()
            self.ddls = try reader.readArray()
            self.sources = try reader.readSet()
            self.ready = try reader.readSet()
            self.operations = try reader.readDictionary()
            self.unlock = try reader.readOptional()
            self.doneCount = Self.countDone(self.operations)
        }
    }

    /// What an operator decided with `shard-ddl-lock unlock`.
    public struct UnlockDecision: Sendable, Hashable, Codable, BinaryCodable {
        /// `--owner`, if given.
        public var ownerOverride: SourceID?
        /// `--force-remove`.
        public var forceRemove: Bool

        public init(ownerOverride: SourceID?, forceRemove: Bool) {
            self.ownerOverride = ownerOverride
            self.forceRemove = forceRemove
        }

        public func encode(to writer: inout ByteWriter) {
            writer.writeOptional(self.ownerOverride)
            writer.writeBool(self.forceRemove)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.ownerOverride = try reader.readOptional()
            self.forceRemove = try reader.readBool()
        }
    }
}

extension Pessimism.Lock {
    /// The operation this lock issues to `source`: execute its DDLs (the owner) or skip them.
    func operation(for source: SourceID, exec: Bool) -> PessimismOperation {
        PessimismOperation(lock: self.id, lockSerial: self.serial, task: self.task, source: source, ddls: self.ddls, exec: exec)
    }
}
