public import BinaryCoding

/// A table in a block-allow list, `{db-name, tbl-name}`; names may be wildcard patterns.
public struct TableRef: Sendable, Hashable, Codable, BinaryCodable {
    public var dbName: String
    public var tableName: String

    public init(dbName: String, tableName: String) {
        self.dbName = dbName
        self.tableName = tableName
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.dbName)
        writer.writeString(self.tableName)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.dbName = try reader.readString()
        self.tableName = try reader.readString()
    }
}

/// DM's block-allow list (formerly black-white list): which schemas and tables a subtask replicates.
public struct BlockAllowList: Sendable, Hashable, Codable, BinaryCodable {
    public var doDBs: [String]
    public var doTables: [TableRef]
    public var ignoreDBs: [String]
    public var ignoreTables: [TableRef]

    public init(
        doDBs: [String] = [],
        doTables: [TableRef] = [],
        ignoreDBs: [String] = [],
        ignoreTables: [TableRef] = []
    ) {
        self.doDBs = doDBs
        self.doTables = doTables
        self.ignoreDBs = ignoreDBs
        self.ignoreTables = ignoreTables
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeArray(self.doDBs)
        writer.writeArray(self.doTables)
        writer.writeArray(self.ignoreDBs)
        writer.writeArray(self.ignoreTables)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.doDBs = try reader.readArray()
        self.doTables = try reader.readArray()
        self.ignoreDBs = try reader.readArray()
        self.ignoreTables = try reader.readArray()
    }
}

/// A table route: upstream tables matching the patterns are written to the target table.
/// An empty `tablePattern` routes whole schemas (the table name is kept).
public struct RouteRule: Sendable, Hashable, Codable, BinaryCodable {
    public var schemaPattern: String
    public var tablePattern: String
    public var targetSchema: String
    public var targetTable: String

    public init(schemaPattern: String, tablePattern: String = "", targetSchema: String, targetTable: String = "") {
        self.schemaPattern = schemaPattern
        self.tablePattern = tablePattern
        self.targetSchema = targetSchema
        self.targetTable = targetTable
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.schemaPattern)
        writer.writeString(self.tablePattern)
        writer.writeString(self.targetSchema)
        writer.writeString(self.targetTable)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.schemaPattern = try reader.readString()
        self.tablePattern = try reader.readString()
        self.targetSchema = try reader.readString()
        self.targetTable = try reader.readString()
    }
}

/// Whether a binlog event filter keeps, drops, or stops at what it matches.
public enum FilterAction: String, Sendable, Hashable, Codable, CaseIterable, BinaryCodable {
    case `do` = "Do"
    case ignore = "Ignore"
    /// A matching event pauses the subtask with an error naming the rule (an event that must never
    /// reach the downstream unseen).
    case error = "Error"

    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .do: writer.writeByte(1)
        case .ignore: writer.writeByte(2)
        case .error: writer.writeByte(3)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self = .do
        case 2: self = .ignore
        case 3: self = .error
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "filter action tag \(other)")
        }
    }
}

/// A binlog event filter: event types (`all dml`, `truncate table`, ...) and SQL patterns on
/// matching tables are kept or dropped.
public struct FilterRule: Sendable, Hashable, Codable, BinaryCodable {
    public var schemaPattern: String
    public var tablePattern: String
    public var events: [String]
    public var sqlPattern: [String]
    public var action: FilterAction

    public init(
        schemaPattern: String,
        tablePattern: String = "",
        events: [String] = [],
        sqlPattern: [String] = [],
        action: FilterAction
    ) {
        self.schemaPattern = schemaPattern
        self.tablePattern = tablePattern
        self.events = events
        self.sqlPattern = sqlPattern
        self.action = action
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.schemaPattern)
        writer.writeString(self.tablePattern)
        writer.writeArray(self.events)
        writer.writeArray(self.sqlPattern)
        writer.write(self.action)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.schemaPattern = try reader.readString()
        self.tablePattern = try reader.readString()
        self.events = try reader.readArray()
        self.sqlPattern = try reader.readArray()
        self.action = try reader.read()
    }
}

/// The binlog replication unit's tuning (DM `syncers`).
public struct SyncerConfig: Sendable, Hashable, Codable, BinaryCodable {
    public var workerCount: Int
    public var batch: Int
    public var safeMode: Bool
    /// How long safe mode lasts after a restart, in milliseconds; `nil` = Braid's default.
    public var safeModeDurationMilliseconds: Int64?

    public init(
        workerCount: Int = 16,
        batch: Int = 100,
        safeMode: Bool = false,
        safeModeDurationMilliseconds: Int64? = nil
    ) {
        self.workerCount = workerCount
        self.batch = batch
        self.safeMode = safeMode
        self.safeModeDurationMilliseconds = safeModeDurationMilliseconds
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeInt(self.workerCount)
        writer.writeInt(self.batch)
        writer.writeBool(self.safeMode)
        writer.writeOptional(self.safeModeDurationMilliseconds)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.workerCount = try reader.readInt()
        self.batch = try reader.readInt()
        self.safeMode = try reader.readBool()
        self.safeModeDurationMilliseconds = try reader.readOptional()
    }
}

/// The full-dump unit's tuning (DM `mydumpers`).
public struct DumperConfig: Sendable, Hashable, Codable, BinaryCodable {
    public var threads: Int
    /// Rows per chunk; 0 disables row-based chunking.
    public var rows: Int
    /// Chunk file size in MiB, as DM's `chunk-filesize` text.
    public var chunkFilesize: String

    public init(threads: Int = 4, rows: Int = 0, chunkFilesize: String = "64") {
        self.threads = threads
        self.rows = rows
        self.chunkFilesize = chunkFilesize
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeInt(self.threads)
        writer.writeInt(self.rows)
        writer.writeString(self.chunkFilesize)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.threads = try reader.readInt()
        self.rows = try reader.readInt()
        self.chunkFilesize = try reader.readString()
    }
}

/// The load unit's tuning (DM `loaders`).
public struct LoaderConfig: Sendable, Hashable, Codable, BinaryCodable {
    public var poolSize: Int
    public var dir: String

    public init(poolSize: Int = 16, dir: String = "./dumped_data") {
        self.poolSize = poolSize
        self.dir = dir
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeInt(self.poolSize)
        writer.writeString(self.dir)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.poolSize = try reader.readInt()
        self.dir = try reader.readString()
    }
}
