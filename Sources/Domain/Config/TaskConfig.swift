public import BinaryCoding

/// What a task copies: `all` = consistent snapshot then binlog from the snapshot position,
/// `full` = snapshot only, `incremental` = binlog only from `meta` or the checkpoint.
public enum TaskMode: String, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    case all
    case full
    case incremental

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .all: writer.writeByte(1)
        case .full: writer.writeByte(2)
        case .incremental: writer.writeByte(3)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self = .all
        case 2: self = .full
        case 3: self = .incremental
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "task mode tag \(other)")
        }
    }
}

/// How shard DDLs are coordinated: a barrier on identical DDLs, or a schema join.
public enum ShardMode: String, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    case pessimistic
    case optimistic

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .pessimistic: writer.writeByte(1)
        case .optimistic: writer.writeByte(2)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self = .pessimistic
        case 2: self = .optimistic
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "shard mode tag \(other)")
        }
    }
}

/// Where an incremental task starts reading a source when there is no checkpoint yet.
public struct TaskMeta: Sendable, Hashable, Codable, BinaryCodable {
    public var binlogName: String
    public var binlogPos: UInt32
    /// GTID set text; parsed with the source's flavor, which only the source config knows.
    public var binlogGTID: String

    public init(binlogName: String = "", binlogPos: UInt32 = BinlogPosition.minimumPos, binlogGTID: String = "") {
        self.binlogName = binlogName
        self.binlogPos = binlogPos
        self.binlogGTID = binlogGTID
    }

    /// The file position, if a binlog name was given.
    public var position: BinlogPosition? {
        self.binlogName.isEmpty ? nil : BinlogPosition(file: self.binlogName, pos: self.binlogPos)
    }

    /// The GTID set, parsed with the source's flavor; `nil` if none was given.
    public func gtidSet(flavor: DatabaseFlavor) throws(PositionError) -> GTIDSet? {
        self.binlogGTID.isEmpty ? nil : try GTIDSet.parse(self.binlogGTID, flavor: flavor)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.binlogName)
        writer.write(self.binlogPos)
        writer.writeString(self.binlogGTID)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.binlogName = try reader.readString()
        self.binlogPos = try reader.read()
        self.binlogGTID = try reader.readString()
    }
}

/// One source's part of a task (DM `mysql-instances[]`): rule names refer to the task's sections.
public struct MySQLInstance: Sendable, Hashable, Codable, BinaryCodable {
    public var sourceID: SourceID
    public var blockAllowList: String?
    public var routeRules: [String]
    public var filterRules: [String]
    public var syncerConfigName: String?
    public var mydumperConfigName: String?
    public var loaderConfigName: String?
    public var meta: TaskMeta?

    public init(
        sourceID: SourceID,
        blockAllowList: String? = nil,
        routeRules: [String] = [],
        filterRules: [String] = [],
        syncerConfigName: String? = nil,
        mydumperConfigName: String? = nil,
        loaderConfigName: String? = nil,
        meta: TaskMeta? = nil
    ) {
        self.sourceID = sourceID
        self.blockAllowList = blockAllowList
        self.routeRules = routeRules
        self.filterRules = filterRules
        self.syncerConfigName = syncerConfigName
        self.mydumperConfigName = mydumperConfigName
        self.loaderConfigName = loaderConfigName
        self.meta = meta
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.sourceID)
        writer.writeOptional(self.blockAllowList)
        writer.writeArray(self.routeRules)
        writer.writeArray(self.filterRules)
        writer.writeOptional(self.syncerConfigName)
        writer.writeOptional(self.mydumperConfigName)
        writer.writeOptional(self.loaderConfigName)
        writer.writeOptional(self.meta)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.sourceID = try reader.read()
        self.blockAllowList = try reader.readOptional()
        self.routeRules = try reader.readArray()
        self.filterRules = try reader.readArray()
        self.syncerConfigName = try reader.readOptional()
        self.mydumperConfigName = try reader.readOptional()
        self.loaderConfigName = try reader.readOptional()
        self.meta = try reader.readOptional()
    }
}

/// A replication task, loaded from DM's `task.yaml` (see `TaskConfig.load(yaml:)`).
///
/// Rule sections are keyed by name; `mysql-instances` refer to them, and loading guarantees every
/// reference resolves, so the lookup helpers below never miss for a loaded config.
public struct TaskConfig: Sendable, Hashable, Codable, BinaryCodable {
    public var name: TaskName
    public var taskMode: TaskMode
    /// `nil` when the task does not merge shards (`is-sharding: false` and no `shard-mode`).
    public var shardMode: ShardMode?
    public var strictOptimisticShardMode: Bool
    public var metaSchema: String
    public var targetDatabase: DatabaseConfig
    public var mysqlInstances: [MySQLInstance]
    public var blockAllowList: [String: BlockAllowList]
    public var routes: [String: RouteRule]
    public var filters: [String: FilterRule]
    public var syncers: [String: SyncerConfig]
    public var mydumpers: [String: DumperConfig]
    public var loaders: [String: LoaderConfig]

    public static let defaultMetaSchema = "dm_meta"

    public init(
        name: TaskName,
        taskMode: TaskMode,
        shardMode: ShardMode? = nil,
        strictOptimisticShardMode: Bool = false,
        metaSchema: String = Self.defaultMetaSchema,
        targetDatabase: DatabaseConfig,
        mysqlInstances: [MySQLInstance],
        blockAllowList: [String: BlockAllowList] = [:],
        routes: [String: RouteRule] = [:],
        filters: [String: FilterRule] = [:],
        syncers: [String: SyncerConfig] = [:],
        mydumpers: [String: DumperConfig] = [:],
        loaders: [String: LoaderConfig] = [:]
    ) {
        self.name = name
        self.taskMode = taskMode
        self.shardMode = shardMode
        self.strictOptimisticShardMode = strictOptimisticShardMode
        self.metaSchema = metaSchema
        self.targetDatabase = targetDatabase
        self.mysqlInstances = mysqlInstances
        self.blockAllowList = blockAllowList
        self.routes = routes
        self.filters = filters
        self.syncers = syncers
        self.mydumpers = mydumpers
        self.loaders = loaders
    }

    /// The sources the task names, in file order.
    public var sourceIDs: [SourceID] { self.mysqlInstances.map(\.sourceID) }

    public func instance(for source: SourceID) -> MySQLInstance? {
        self.mysqlInstances.first { $0.sourceID == source }
    }

    /// The route rules of `source`'s instance, in the order the instance lists them.
    public func routeRules(for source: SourceID) -> [RouteRule] {
        self.instance(for: source)?.routeRules.compactMap { self.routes[$0] } ?? []
    }

    public func filterRules(for source: SourceID) -> [FilterRule] {
        self.namedFilterRules(for: source).map(\.rule)
    }

    /// The source's filters with their names, in the instance's order (an `Error` rule is reported by name).
    public func namedFilterRules(for source: SourceID) -> [(name: String, rule: FilterRule)] {
        self.instance(for: source)?.filterRules.compactMap { name in self.filters[name].map { (name, $0) } } ?? []
    }

    public func blockAllowList(for source: SourceID) -> BlockAllowList? {
        self.instance(for: source)?.blockAllowList.flatMap { self.blockAllowList[$0] }
    }

    /// The syncer settings of `source`, or the defaults if the instance names none.
    public func syncer(for source: SourceID) -> SyncerConfig {
        self.instance(for: source)?.syncerConfigName.flatMap { self.syncers[$0] } ?? SyncerConfig()
    }

    /// A copy safe to print or return from the API.
    public var redacted: TaskConfig {
        var copy = self
        copy.targetDatabase = copy.targetDatabase.redacted
        return copy
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.name)
        writer.write(self.taskMode)
        writer.writeOptional(self.shardMode)
        writer.writeBool(self.strictOptimisticShardMode)
        writer.writeString(self.metaSchema)
        writer.write(self.targetDatabase)
        writer.writeArray(self.mysqlInstances)
        writer.writeDictionary(self.blockAllowList)
        writer.writeDictionary(self.routes)
        writer.writeDictionary(self.filters)
        writer.writeDictionary(self.syncers)
        writer.writeDictionary(self.mydumpers)
        writer.writeDictionary(self.loaders)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.name = try reader.read()
        self.taskMode = try reader.read()
        self.shardMode = try reader.readOptional()
        self.strictOptimisticShardMode = try reader.readBool()
        self.metaSchema = try reader.readString()
        self.targetDatabase = try reader.read()
        self.mysqlInstances = try reader.readArray()
        self.blockAllowList = try reader.readDictionary()
        self.routes = try reader.readDictionary()
        self.filters = try reader.readDictionary()
        self.syncers = try reader.readDictionary()
        self.mydumpers = try reader.readDictionary()
        self.loaders = try reader.readDictionary()
    }
}
