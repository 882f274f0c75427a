public import BinaryCoding
public import Domain

/// The newest checkpoint each (task, source) reported, as the leader last heard it.
public struct CheckpointTable: Sendable, Equatable, BinaryCodable {
    public struct Key: Sendable, Hashable, Comparable, BinaryCodable {
        public var task: TaskName
        public var source: SourceID

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.task, lhs.source) < (rhs.task, rhs.source) }

        public func encode(to writer: inout ByteWriter) {
            self.task.encode(to: &writer)
            self.source.encode(to: &writer)
        }

        public init(task: TaskName, source: SourceID) {
            self.task = task
            self.source = source
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.task = try TaskName(from: &reader)
            self.source = try SourceID(from: &reader)
        }
    }

    public struct Point: Sendable, Hashable, BinaryCodable {
        public var position: BinlogPosition
        public var gtid: GTIDSet?
        public var at: Int64

        public func encode(to writer: inout ByteWriter) {
            self.position.encode(to: &writer)
            writer.writeOptional(self.gtid)
            writer.writeVarInt(self.at)
        }

        public init(position: BinlogPosition, gtid: GTIDSet?, at: Int64) {
            self.position = position
            self.gtid = gtid
            self.at = at
        }

        public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
            self.position = try BinlogPosition(from: &reader)
            self.gtid = try reader.readOptional(GTIDSet.self)
            self.at = try reader.readVarInt()
        }
    }

    public private(set) var points: [Key: Point] = [:]

    public init() {}

    public mutating func evolve(_ event: Event) {
        switch event {
        case .checkpoint(.reported(let task, let source, let position, let gtid, let at)):
            self.points[Key(task: task, source: source)] = Point(position: position, gtid: gtid, at: at)
        case .task(.stopped(let task)):
            self.points = self.points.filter { $0.key.task != task }
        case .task(.subtaskRemoved(let task, let source)):
            self.points[Key(task: task, source: source)] = nil
        case .source, .worker, .binding, .task, .pessimism, .optimism, .checkpoint, .leader, .engine:
            break
        }
    }

    public func encode(to writer: inout ByteWriter) { writer.writeDictionary(self.points) }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.points = try reader.readDictionary(Key.self, Point.self)
    }
}
