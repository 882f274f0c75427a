import Yams

extension TaskConfig {
    /// Parses and validates a DM `task.yaml`.
    ///
    /// Every reference from `mysql-instances` must resolve and every enumerated field must hold a
    /// known value; unknown keys and DM features Braid does not implement become warnings.
    /// - Throws: `ConfigError` naming the field path, e.g.
    ///   `mysql-instances[1].route-rules[0]: unknown route "r9"`.
    public static func load(yaml: String) throws(ConfigError) -> LoadedConfig<TaskConfig> {
        var warnings: [ConfigWarning] = []
        var root = try YAMLMap.document(yaml)

        let name = try root.requiredString("name")
        let modeText = try root.requiredString("task-mode")
        guard let taskMode = TaskMode(rawValue: modeText) else {
            throw ConfigError(.invalidValue, path: "task-mode", "expected all|full|incremental, got \"\(modeText)\"")
        }
        let shardMode = try Self.readShardMode(&root, into: &warnings)
        let strict = try root.bool("strict-optimistic-shard-mode") ?? false
        if strict && shardMode != .optimistic {
            warnings.append(
                ConfigWarning(path: "strict-optimistic-shard-mode", "only applies to shard-mode optimistic, ignored")
            )
        }
        let metaSchema = try root.string("meta-schema").flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultMetaSchema
        guard var targetMap = try root.map("target-database") else {
            throw ConfigError(.missingField, path: "target-database", "is required")
        }
        let target = try DatabaseConfig.read(&targetMap, into: &warnings)

        let lists = try Self.readBlockAllowLists(&root, into: &warnings)
        let routes = try Self.readRoutes(&root, into: &warnings)
        let filters = try Self.readFilters(&root, into: &warnings)
        let syncers = try Self.readSyncers(&root, into: &warnings)
        let dumpers = try Self.readDumpers(&root, into: &warnings)
        let loaders = try Self.readLoaders(&root, into: &warnings)

        var config = TaskConfig(
            name: TaskName(name),
            taskMode: taskMode,
            shardMode: shardMode,
            strictOptimisticShardMode: strict,
            metaSchema: metaSchema,
            targetDatabase: target,
            mysqlInstances: [],
            blockAllowList: lists,
            routes: routes,
            filters: filters,
            syncers: syncers,
            mydumpers: dumpers,
            loaders: loaders
        )
        let items = try root.list("mysql-instances")
        guard !items.isEmpty else {
            throw ConfigError(.missingField, path: "mysql-instances", "at least one instance is required")
        }
        var seen: Set<SourceID> = []
        for (path, node) in items {
            var map = try YAMLMap(node, path: path)
            let instance = try config.readInstance(&map, into: &warnings)
            guard seen.insert(instance.sourceID).inserted else {
                throw ConfigError(
                    .duplicate,
                    path: map.childPath("source-id"),
                    "source \"\(instance.sourceID)\" appears twice"
                )
            }
            config.mysqlInstances.append(instance)
        }
        for key in [
            "timezone", "case-sensitive", "online-ddl", "online-ddl-scheme", "clean-dump-file", "collation_compatible",
            "ignore-checking-items", "enable-heartbeat", "heartbeat-update-interval", "heartbeat-report-interval",
            "column-mappings", "expression-filter", "validators", "remove-meta", "enable-ansi-quotes", "mydumper-path",
            "shadow-table-rules", "trash-table-rules", "experimental",
        ] {
            root.ignore(key, because: "not supported by Braid, ignored", into: &warnings)
        }
        root.finish(into: &warnings)
        return LoadedConfig(config: config, warnings: warnings)
    }

    /// `shard-mode`, with DM's legacy `is-sharding`: `true` alone means pessimistic; `false` next to a
    /// shard mode contradicts it and is refused, as DM does.
    private static func readShardMode(
        _ root: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> ShardMode? {
        let isSharding = try root.bool("is-sharding")
        let text = try root.string("shard-mode") ?? ""
        if text.isEmpty { return isSharding == true ? .pessimistic : nil }
        guard let mode = ShardMode(rawValue: text) else {
            throw ConfigError(.invalidValue, path: "shard-mode", "expected pessimistic|optimistic, got \"\(text)\"")
        }
        if isSharding == false {
            throw ConfigError(
                .invalidValue, path: "is-sharding",
                "false contradicts shard-mode \"\(text)\" (a task with a shard mode merges shards; drop is-sharding or set it true)")
        }
        return mode
    }

    private static func readBlockAllowLists(
        _ root: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [String: BlockAllowList] {
        let current = try root.namedMaps("block-allow-list")
        let legacy = try root.namedMaps("black-white-list")
        // DM's exported configs write `black-white-list: {}` next to the real section; only two non-empty ones clash.
        if !current.isEmpty && !legacy.isEmpty {
            throw ConfigError(.invalidValue, path: "black-white-list", "cannot be set together with block-allow-list")
        }
        if !legacy.isEmpty {
            warnings.append(ConfigWarning(path: "black-white-list", "deprecated, use block-allow-list"))
        }
        var result: [String: BlockAllowList] = [:]
        for (name, var map) in current + legacy {
            result[name] = BlockAllowList(
                doDBs: try map.strings("do-dbs"),
                doTables: try Self.readTables(&map, "do-tables", into: &warnings),
                ignoreDBs: try map.strings("ignore-dbs"),
                ignoreTables: try Self.readTables(&map, "ignore-tables", into: &warnings)
            )
            map.finish(into: &warnings)
        }
        return result
    }

    private static func readTables(
        _ map: inout YAMLMap,
        _ key: String,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [TableRef] {
        var result: [TableRef] = []
        for (path, node) in try map.list(key) {
            var table = try YAMLMap(node, path: path)
            result.append(
                TableRef(dbName: try table.requiredString("db-name"), tableName: try table.requiredString("tbl-name"))
            )
            table.finish(into: &warnings)
        }
        return result
    }

    private static func readRoutes(
        _ root: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [String: RouteRule] {
        var result: [String: RouteRule] = [:]
        for (name, var map) in try root.namedMaps("routes") {
            let rule = RouteRule(
                schemaPattern: try map.requiredString("schema-pattern"),
                tablePattern: try map.string("table-pattern") ?? "",
                targetSchema: try map.requiredString("target-schema"),
                targetTable: try map.string("target-table") ?? ""
            )
            if !rule.tablePattern.isEmpty && rule.targetTable.isEmpty {
                throw ConfigError(
                    .missingField,
                    path: map.childPath("target-table"),
                    "is required when table-pattern is set"
                )
            }
            for key in ["extract-table", "extract-schema", "extract-source"] {
                map.ignore(key, because: "not supported by Braid, ignored", into: &warnings)
            }
            map.finish(into: &warnings)
            result[name] = rule
        }
        return result
    }

    private static func readFilters(
        _ root: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [String: FilterRule] {
        var result: [String: FilterRule] = [:]
        for (name, var map) in try root.namedMaps("filters") {
            let actionText = try map.requiredString("action")
            guard
                let action = FilterAction.allCases.first(where: { $0.rawValue.lowercased() == actionText.lowercased() })
            else {
                throw ConfigError(
                    .invalidValue,
                    path: map.childPath("action"),
                    "expected Do|Ignore|Error, got \"\(actionText)\""
                )
            }
            result[name] = FilterRule(
                schemaPattern: try map.requiredString("schema-pattern"),
                tablePattern: try map.string("table-pattern") ?? "",
                events: try map.strings("events"),
                sqlPattern: try map.strings("sql-pattern"),
                action: action
            )
            map.finish(into: &warnings)
        }
        return result
    }

    private static func readSyncers(
        _ root: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [String: SyncerConfig] {
        var result: [String: SyncerConfig] = [:]
        for (name, var map) in try root.namedMaps("syncers") {
            var syncer = SyncerConfig()
            syncer.workerCount = try Self.positive(&map, "worker-count") ?? syncer.workerCount
            syncer.batch = try Self.positive(&map, "batch") ?? syncer.batch
            syncer.safeMode = try map.bool("safe-mode") ?? false
            if let text = try map.string("safe-mode-duration"), !text.isEmpty {
                guard let ms = GoDuration.milliseconds(text) else {
                    throw ConfigError(
                        .invalidValue,
                        path: map.childPath("safe-mode-duration"),
                        "expected a duration such as \"60s\" or \"1m30s\", got \"\(text)\""
                    )
                }
                syncer.safeModeDurationMilliseconds = ms
            }
            for key in [
                "queue-size", "checkpoint-flush-interval", "compact", "multiple-rows", "enable-ansi-quotes",
                "max-retry", "auto-fix-gtid", "enable-gtid", "disable-detect", "disable-causality",
            ] {
                map.ignore(key, because: "not supported by Braid, ignored", into: &warnings)
            }
            map.finish(into: &warnings)
            result[name] = syncer
        }
        return result
    }

    private static func readDumpers(
        _ root: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [String: DumperConfig] {
        var result: [String: DumperConfig] = [:]
        for (name, var map) in try root.namedMaps("mydumpers") {
            var dumper = DumperConfig()
            dumper.threads = try Self.positive(&map, "threads") ?? dumper.threads
            dumper.rows =
                try map.integer("rows", Int.self).map { v throws(ConfigError) in
                    guard v >= 0 else {
                        throw ConfigError(.invalidValue, path: map.childPath("rows"), "must not be negative, got \(v)")
                    }
                    return v
                } ?? dumper.rows
            dumper.chunkFilesize = try map.string("chunk-filesize") ?? dumper.chunkFilesize
            for key in ["mydumper-path", "extra-args", "skip-tz-utc"] {
                map.ignore(key, because: "not supported by Braid, ignored", into: &warnings)
            }
            map.finish(into: &warnings)
            result[name] = dumper
        }
        return result
    }

    private static func readLoaders(
        _ root: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> [String: LoaderConfig] {
        var result: [String: LoaderConfig] = [:]
        for (name, var map) in try root.namedMaps("loaders") {
            var loader = LoaderConfig()
            loader.poolSize = try Self.positive(&map, "pool-size") ?? loader.poolSize
            loader.dir = try map.string("dir") ?? loader.dir
            for key in [
                "import-mode", "on-duplicate", "on-duplicate-logical", "on-duplicate-physical", "sorting-dir-physical",
                "disk-quota-physical", "checksum-physical", "analyze",
            ] {
                map.ignore(key, because: "not supported by Braid, ignored", into: &warnings)
            }
            map.finish(into: &warnings)
            result[name] = loader
        }
        return result
    }

    private static func positive(_ map: inout YAMLMap, _ key: String) throws(ConfigError) -> Int? {
        guard let value = try map.integer(key, Int.self) else { return nil }
        guard value > 0 else {
            throw ConfigError(.invalidValue, path: map.childPath(key), "must be positive, got \(value)")
        }
        return value
    }

    /// Reads one `mysql-instances[i]` entry and checks its references against this config's sections.
    private func readInstance(
        _ map: inout YAMLMap,
        into warnings: inout [ConfigWarning]
    ) throws(ConfigError) -> MySQLInstance {
        var instance = MySQLInstance(sourceID: SourceID(try map.requiredString("source-id")))
        // DM's `get-config`/`config export` write `black-white-list: ""` next to `block-allow-list: NAME`:
        // an empty key names nothing; two different names clash.
        let current = try map.string("block-allow-list").flatMap { $0.isEmpty ? nil : $0 }
        let legacy = try map.string("black-white-list").flatMap { $0.isEmpty ? nil : $0 }
        if let current, let legacy, current != legacy {
            throw ConfigError(
                .invalidValue,
                path: map.childPath("black-white-list"),
                "\"\(legacy)\" conflicts with block-allow-list \"\(current)\""
            )
        }
        if let list = current ?? legacy {
            guard self.blockAllowList[list] != nil else {
                throw ConfigError(
                    .unknownReference,
                    path: map.childPath(current != nil ? "block-allow-list" : "black-white-list"),
                    "unknown block-allow list \"\(list)\""
                )
            }
            instance.blockAllowList = list
        }
        instance.routeRules = try Self.references(&map, "route-rules", in: self.routes, kind: "route")
        instance.filterRules = try Self.references(&map, "filter-rules", in: self.filters, kind: "filter")
        instance.syncerConfigName = try Self.reference(
            &map,
            "syncer-config-name",
            in: self.syncers,
            kind: "syncer config"
        )
        instance.mydumperConfigName = try Self.reference(
            &map,
            "mydumper-config-name",
            in: self.mydumpers,
            kind: "mydumper config"
        )
        instance.loaderConfigName = try Self.reference(
            &map,
            "loader-config-name",
            in: self.loaders,
            kind: "loader config"
        )
        if var metaMap = try map.map("meta") {
            let meta = TaskMeta(
                binlogName: try metaMap.string("binlog-name") ?? "",
                binlogPos: try metaMap.integer("binlog-pos", UInt32.self) ?? BinlogPosition.minimumPos,
                binlogGTID: try metaMap.string("binlog-gtid") ?? ""
            )
            if meta.binlogName.isEmpty && meta.binlogGTID.isEmpty {
                throw ConfigError(.missingField, path: metaMap.path, "binlog-name or binlog-gtid is required")
            }
            metaMap.finish(into: &warnings)
            instance.meta = meta
        }
        for key in [
            "syncer", "mydumper", "loader", "column-mapping-rules", "expression-filters", "mydumper-thread",
            "loader-thread", "syncer-thread", "continuous-validator-config-name",
        ] {
            map.ignore(key, because: "not supported by Braid, ignored; use the *-config-name keys", into: &warnings)
        }
        map.finish(into: &warnings)
        return instance
    }

    private static func references<V>(
        _ map: inout YAMLMap,
        _ key: String,
        in section: [String: V],
        kind: String
    ) throws(ConfigError) -> [String] {
        let names = try map.strings(key)
        for (i, name) in names.enumerated() where section[name] == nil {
            throw ConfigError(.unknownReference, path: "\(map.childPath(key))[\(i)]", "unknown \(kind) \"\(name)\"")
        }
        return names
    }

    private static func reference<V>(
        _ map: inout YAMLMap,
        _ key: String,
        in section: [String: V],
        kind: String
    ) throws(ConfigError) -> String? {
        guard let name = try map.string(key), !name.isEmpty else { return nil }
        guard section[name] != nil else {
            throw ConfigError(.unknownReference, path: map.childPath(key), "unknown \(kind) \"\(name)\"")
        }
        return name
    }
}

/// Go's `time.ParseDuration` syntax (`60s`, `1m30s`, `500ms`), which DM's configs use.
enum GoDuration {
    static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Double)] = [
            ("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
        ]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) })
            else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        guard total < 9e15 else { return nil }
        return Int64(total.rounded())
    }
}
