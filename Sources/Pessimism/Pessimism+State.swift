public import BinaryCoding
public import Domain

extension Pessimism {
    /// Everything the pessimism coordinator knows: the locks, the Infos in flight and the
    /// rejected Infos. A pure fold of `PessimismEvent`s; encodes deterministically for snapshots.
    public struct State: Sendable, Equatable, Codable, BinaryCodable {
        /// Every live lock by id.
        public var locks: [LockID: Lock]
        /// The accepted Info in flight per task and source (DM's Info key): from `infoReported`
        /// until the source's operation is done or its lock is removed. An Info whose source is
        /// not ready in its lock waits for that lock to be removed (see `waitingInfos`).
        public var infos: [InfoKey: InFlightInfo]
        /// The latest rejected Info per task and source, kept until superseded.
        public var rejected: [InfoKey: RejectedInfo]
        /// The serial the next lock gets; only grows, so lock instances are never confused.
        public var nextLockSerial: UInt64

        public init() {
            self.locks = [:]
            self.infos = [:]
            self.rejected = [:]
            self.nextLockSerial = 1
        }

        /// No lock, no Info in flight, no rejection on record.
        public var isIdle: Bool { self.locks.isEmpty && self.infos.isEmpty && self.rejected.isEmpty }

        public func encode(to writer: inout ByteWriter) {
            writer.writeDictionary(self.locks)
            writer.writeDictionary(self.infos)
            writer.writeDictionary(self.rejected)
            writer.writeVarUInt(self.nextLockSerial)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.locks = try reader.readDictionary()
            self.infos = try reader.readDictionary()
            self.rejected = try reader.readDictionary()
            self.nextLockSerial = try reader.readVarUInt()
        }
    }

    /// DM keys Infos and Operations per task and source: one shard DDL in flight per pair.
    public struct InfoKey: Sendable, Hashable, Comparable, Codable, BinaryCodable, CustomStringConvertible {
        public var task: TaskName
        public var source: SourceID

        public init(task: TaskName, source: SourceID) {
            self.task = task
            self.source = source
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.task, lhs.source) < (rhs.task, rhs.source) }

        public var description: String { "\(self.task)/\(self.source)" }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.task)
            writer.write(self.source)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.task = try reader.read()
            self.source = try reader.read()
        }
    }

    /// An accepted Info and the task's sources when it was reported (the expected sources of the
    /// lock it creates if it has to wait for the previous lock to go).
    public struct InFlightInfo: Sendable, Hashable, Codable, BinaryCodable {
        public var info: PessimismInfo
        public var taskSources: Set<SourceID>

        public init(info: PessimismInfo, taskSources: Set<SourceID>) {
            self.info = info
            self.taskSources = taskSources
        }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.info)
            writer.writeSet(self.taskSources)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.info = try reader.read()
            self.taskSources = try reader.readSet()
        }
    }

    /// A rejected Info, why, and the task's sources when it was reported (needed if it is offered
    /// again and creates a lock).
    public struct RejectedInfo: Sendable, Hashable, Codable, BinaryCodable {
        public var info: PessimismInfo
        public var reason: PessimismRejection
        public var taskSources: Set<SourceID>

        public init(info: PessimismInfo, reason: PessimismRejection, taskSources: Set<SourceID>) {
            self.info = info
            self.reason = reason
            self.taskSources = taskSources
        }

        /// The operator-facing text (DM's wording for a DDL mismatch).
        public var message: String { self.reason.message(for: self.info) }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.info)
            writer.write(self.reason)
            writer.writeSet(self.taskSources)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.info = try reader.read()
            self.reason = try reader.read()
            self.taskSources = try reader.readSet()
        }
    }
}
