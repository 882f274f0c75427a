public import BinaryCoding
public import Domain

extension Scheduling {
    /// DM's worker stages without relay: offline (no live keepalive), free (alive, no source),
    /// bound (alive, serving one source).
    public enum WorkerStage: String, Sendable, Hashable, Codable, CaseIterable {
        case offline
        case free
        case bound
    }

    /// What the schedule knows about one worker.
    public struct WorkerRecord: Sendable, Hashable, Codable, BinaryCodable {
        public var address: String
        public var isOnline: Bool
        /// Leader-clock time of the newest keepalive; `nil` until the first one.
        public var lastKeepalive: Int64?
        public var boundSource: SourceID?
        /// The source this worker served last; kept after unbind as a binding preference.
        public var lastBoundSource: SourceID?

        public init(address: String) {
            self.address = address
            self.isOnline = false
        }

        public var stage: WorkerStage {
            if !self.isOnline { return .offline }
            return self.boundSource == nil ? .free : .bound
        }

        public func encode(to writer: inout ByteWriter) {
            writer.writeString(self.address)
            writer.writeBool(self.isOnline)
            writer.writeOptional(self.lastKeepalive)
            writer.writeOptional(self.boundSource)
            writer.writeOptional(self.lastBoundSource)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.address = try reader.readString()
            self.isOnline = try reader.readBool()
            self.lastKeepalive = try reader.readOptional()
            self.boundSource = try reader.readOptional()
            self.lastBoundSource = try reader.readOptional()
        }
    }

    /// A source's current worker and the epoch that fences its writes.
    public struct Binding: Sendable, Hashable, Codable, BinaryCodable {
        public var worker: WorkerName
        public var epoch: UInt64

        public init(worker: WorkerName, epoch: UInt64) {
            self.worker = worker
            self.epoch = epoch
        }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.worker)
            writer.writeVarUInt(self.epoch)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.worker = try reader.read()
            self.epoch = try reader.readVarUInt()
        }
    }

    /// A started task: its config, the expected stage of each of its subtasks, by source, and the
    /// operator's binlog operations (`binlog skip|replace`) of each subtask, by event position.
    public struct TaskRecord: Sendable, Hashable, Codable, BinaryCodable {
        public var config: TaskConfig
        public var subtasks: [SourceID: ExpectedStage]
        /// Only subtasks with at least one operation have an entry.
        public var binlogOperations: [SourceID: [BinlogPosition: BinlogOperation]]

        public init(
            config: TaskConfig, subtasks: [SourceID: ExpectedStage] = [:],
            binlogOperations: [SourceID: [BinlogPosition: BinlogOperation]] = [:]
        ) {
            self.config = config
            self.subtasks = subtasks
            self.binlogOperations = binlogOperations
        }

        /// The operations of subtask (this task, `source`), in binlog order.
        public func binlogOperations(of source: SourceID) -> [BinlogOperation] {
            (self.binlogOperations[source] ?? [:]).values.sorted { $0.position < $1.position }
        }

        public func encode(to writer: inout ByteWriter) {
            writer.write(self.config)
            writer.writeDictionary(self.subtasks)
            writer.writeDictionary(self.binlogOperations)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.config = try reader.read()
            self.subtasks = try reader.readDictionary()
            self.binlogOperations = try reader.readDictionary()
        }
    }

    /// One subtask: a task's share of one source.
    public struct SubtaskID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
        public var task: TaskName
        public var source: SourceID

        public init(task: TaskName, source: SourceID) {
            self.task = task
            self.source = source
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.task, lhs.source) < (rhs.task, rhs.source) }
        public var description: String { "\(self.task)/\(self.source)" }
    }

    /// The fold of source, worker, binding and task events. Other categories are ignored.
    public struct State: Sendable, Equatable, Codable, BinaryCodable {
        public internal(set) var workers: [WorkerName: WorkerRecord] = [:]
        public internal(set) var sources: [SourceID: SourceConfig] = [:]
        public internal(set) var bindings: [SourceID: Binding] = [:]
        public internal(set) var tasks: [TaskName: TaskRecord] = [:]
        /// The highest binding epoch ever issued; the next `bound` takes `lastEpoch + 1`.
        public internal(set) var lastEpoch: UInt64 = 0
        /// Per subtask, how many times it was asked to run (`resume-task`, even when already
        /// expected Running): a worker resumes a subtask its own error paused when this grows.
        public internal(set) var resumes: [TaskName: [SourceID: UInt64]] = [:]
        /// Per subtask, the latest `binlog-schema update|delete` of each table, in id order. They go
        /// with the subtask; the subtask itself knows (in its checkpoint) which it has applied.
        public internal(set) var schemaOperations: [TaskName: [SourceID: [SchemaOperation]]] = [:]
        /// The highest schema operation id ever issued; the next takes `lastSchemaOperationID + 1`.
        public internal(set) var lastSchemaOperationID: UInt64 = 0

        public init() {}

        // MARK: - Read helpers

        /// The sources task `task` has subtasks on (empty for an unknown task). The engine hands
        /// this to the shard-DDL deciders as the set of sources a lock must wait for.
        public func sources(ofTask task: TaskName) -> Set<SourceID> {
            self.tasks[task].map { Set($0.subtasks.keys) } ?? []
        }

        public func boundWorker(of source: SourceID) -> WorkerName? { self.bindings[source]?.worker }

        /// The epoch of `source`'s current binding; `nil` while unbound.
        public func bindingEpoch(of source: SourceID) -> UInt64? { self.bindings[source]?.epoch }

        public func boundSource(of worker: WorkerName) -> SourceID? { self.workers[worker]?.boundSource }

        /// `nil` for an unknown worker.
        public func stage(of worker: WorkerName) -> WorkerStage? { self.workers[worker]?.stage }

        /// The subtasks the worker runs now: those of the source bound to it, sorted.
        public func subtasks(ofWorker worker: WorkerName) -> [SubtaskID] {
            guard let source = self.boundSource(of: worker) else { return [] }
            return self.subtasks(ofSource: source)
        }

        /// Every subtask on `source`, sorted by task.
        public func subtasks(ofSource source: SourceID) -> [SubtaskID] {
            self.tasks.filter { $0.value.subtasks[source] != nil }.keys.sorted().map {
                SubtaskID(task: $0, source: source)
            }
        }

        public func expectedStage(task: TaskName, source: SourceID) -> ExpectedStage? {
            self.tasks[task]?.subtasks[source]
        }

        /// The subtask's schema operations (`binlog-schema update|delete`), in id order.
        public func schemaOperations(task: TaskName, source: SourceID) -> [SchemaOperation] {
            self.schemaOperations[task]?[source] ?? []
        }

        public func resumeCount(task: TaskName, source: SourceID) -> UInt64 {
            self.resumes[task]?[source] ?? 0
        }

        /// Alive workers without a source, in name order (the binding tie-break order).
        public var freeWorkers: [WorkerName] {
            self.workers.filter { $0.value.stage == .free }.keys.sorted()
        }

        /// Sources no worker serves, in id order.
        public var unboundSources: [SourceID] {
            self.sources.keys.filter { self.bindings[$0] == nil }.sorted()
        }

        // MARK: - Binary coding

        /// Layout version of the encoded state, for snapshots. 2: task records carry binlog operations.
        /// 3: resume counts follow `lastEpoch` (a version 2 snapshot reads as none). 4: schema operations
        /// and their last id follow the resume counts (older snapshots read as none).
        static let codingVersion: UInt8 = 4

        public func encode(to writer: inout ByteWriter) {
            writer.writeByte(Self.codingVersion)
            writer.writeDictionary(self.workers)
            writer.writeDictionary(self.sources)
            writer.writeDictionary(self.bindings)
            writer.writeDictionary(self.tasks)
            writer.writeVarUInt(self.lastEpoch)
            writer.writeDictionary(self.resumes)
            writer.writeDictionary(self.schemaOperations)
            writer.writeVarUInt(self.lastSchemaOperationID)
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            let at = reader.offset
            let version = try reader.readByte()
            guard (2...Self.codingVersion).contains(version) else {
                throw BinaryDecodingError(.unsupportedVersion, at: at, "scheduling state version \(version)")
            }
            self.workers = try reader.readDictionary()
            self.sources = try reader.readDictionary()
            self.bindings = try reader.readDictionary()
            self.tasks = try reader.readDictionary()
            self.lastEpoch = try reader.readVarUInt()
            if version >= 3 { self.resumes = try reader.readDictionary() }
            if version >= 4 {
                self.schemaOperations = try reader.readDictionary()
                self.lastSchemaOperationID = try reader.readVarUInt()
            }
        }
    }
}
