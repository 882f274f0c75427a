public import Domain
public import Logging
public import MySQLClient

/// Everything one subtask's sync engine needs.
public struct SyncerConfiguration: Sendable {
    public var task: TaskConfig
    public var source: SourceConfig
    /// The binding epoch: the checkpoint row carries it, and a newer one fences this engine off.
    public var epoch: Int64
    public var upstream: MySQLConnectOptions
    public var downstream: MySQLConnectOptions
    public var reader: any UpstreamReader
    public var coordinator: any ShardDDLCoordinator
    public var reporter: any SyncProgressReporter
    /// Called between events; returns at once unless the subtask is paused.
    public var waitIfPaused: @Sendable () async -> Void
    /// The operator's binlog operation (`binlog skip|replace`) for the DDL event starting at a
    /// position, if any; consulted at every DDL event.
    public var binlogOperation: @Sendable (BinlogPosition) -> BinlogOperation?
    /// The operator's `binlog-schema update|delete` operations, in id order. Those above the id the
    /// checkpoint records are applied to it when the Syncer starts (see `applySchemaOperations`).
    public var schemaOperations: [SchemaOperation]
    /// Flush and persist at least this often while events flow.
    public var barrierInterval: Duration
    public var logger: Logger

    public init(
        task: TaskConfig, source: SourceConfig, epoch: Int64, upstream: MySQLConnectOptions,
        downstream: MySQLConnectOptions, reader: any UpstreamReader, coordinator: any ShardDDLCoordinator,
        reporter: any SyncProgressReporter, waitIfPaused: @escaping @Sendable () async -> Void = {},
        binlogOperation: @escaping @Sendable (BinlogPosition) -> BinlogOperation? = { _ in nil },
        schemaOperations: [SchemaOperation] = [],
        barrierInterval: Duration = .seconds(1), logger: Logger = Logger(label: "braid.sync")
    ) {
        self.task = task
        self.source = source
        self.epoch = epoch
        self.upstream = upstream
        self.downstream = downstream
        self.reader = reader
        self.coordinator = coordinator
        self.reporter = reporter
        self.waitIfPaused = waitIfPaused
        self.binlogOperation = binlogOperation
        self.schemaOperations = schemaOperations
        self.barrierInterval = barrierInterval
        self.logger = logger
    }

    /// Connection options for a `DatabaseConfig`: TCP, utf8mb4, and for the downstream UTC so
    /// TIMESTAMP literals mean what the binlog meant. The downstream is strict: a value the merged
    /// table cannot hold (a schema that diverged) stops the subtask instead of being truncated.
    /// Zero dates stay allowed, since the upstream may hold them.
    public static func options(_ database: DatabaseConfig, downstream: Bool) -> MySQLConnectOptions {
        MySQLConnectOptions(
            endpoint: .tcp(host: database.host, port: Int(database.port)), user: database.user, password: database.password,
            readTimeout: downstream ? .seconds(300) : .seconds(60), writeTimeout: .seconds(60),
            sessionVariables: downstream
                ? [.init("time_zone", "'+00:00'"), .init("foreign_key_checks", "0"), .init("sql_mode", "'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO'")]
                : [.init("time_zone", "'+00:00'")])
    }
}
