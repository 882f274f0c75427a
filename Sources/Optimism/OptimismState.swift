public import BinaryCoding
public import Domain
public import Schema

extension Optimism {
    /// Every task's routed upstream tables with their last known schemas, and the live locks.
    public struct State: Sendable, Equatable, Codable, BinaryCodable {
        /// task → source → downstream table → upstream table → schema. Outside a lock this is the
        /// truth about a table's schema; while a lock holds the table, the lock's view wins and is
        /// written back here when the lock goes away.
        public internal(set) var sourceTables: [TaskName: [SourceID: [TableName: [TableName: TableInfo]]]]
        public internal(set) var locks: [LockID: Lock]
        /// The id the next operation gets, across every lock this state ever held: a target table's
        /// successive locks share one lock id, so ids restarting per lock let a worker take a new
        /// lock's operation for the completed one of the previous lock it still remembered.
        public internal(set) var nextOperationID: UInt64

        public init() {
            self.sourceTables = [:]
            self.locks = [:]
            self.nextOperationID = 1
        }

        /// The lock of one downstream table of a task, if it has one.
        public func lock(task: TaskName, downstream: TableName) -> Lock? {
            self.locks[LockID(task: task, downstream: downstream)]
        }

        /// The task's locks in id order (all tasks when `task` is `nil`), for `shard-ddl-lock`.
        public func locks(task: TaskName?) -> [Lock] {
            self.locks.keys.sorted().compactMap { id in
                let lock = self.locks[id]!
                return task == nil || lock.task == task ? lock : nil
            }
        }

        /// The last reported (or resolved) schema of every upstream table routed to `downstream`.
        public func routedTables(task: TaskName, downstream: TableName) -> [SourceTable: TableInfo] {
            var result: [SourceTable: TableInfo] = [:]
            for (source, byDownstream) in self.sourceTables[task] ?? [:] {
                for (upstream, schema) in byDownstream[downstream] ?? [:] {
                    result[SourceTable(source: source, table: upstream)] = schema
                }
            }
            return result
        }

        public func encode(to writer: inout ByteWriter) {
            writer.writeDictionary(self.sourceTables)
            writer.writeDictionary(self.locks)
            writer.writeVarUInt(self.nextOperationID)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.sourceTables = try reader.readDictionary()
            self.locks = try reader.readDictionary()
            self.nextOperationID = try reader.readVarUInt()
        }
    }
}
