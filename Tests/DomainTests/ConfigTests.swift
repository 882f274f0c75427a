import BinaryCoding
import Domain
import Foundation
import Testing

@Suite struct SourceConfigTests {
    @Test func loadsDMSourceYAML() throws {
        let loaded = try SourceConfig.load(yaml: ConfigFixtures.source1)
        let c = loaded.config
        #expect(c.sourceID == "mysql-replica-01")
        #expect(c.flavor == nil)  // DM: empty flavor = detect on connect
        #expect(c.serverID == 123456 && !c.enableGTID && !c.enableRelay)
        #expect(c.from == DatabaseConfig(host: "127.0.0.1", port: 3306, user: "root", password: "123456"))
        #expect(loaded.warnings.isEmpty)
    }

    @Test func recordsRelayAndIgnoresPurgeAndChecker() throws {
        let loaded = try SourceConfig.load(yaml: ConfigFixtures.source2Relay)
        #expect(loaded.config.enableRelay && loaded.config.enableGTID && loaded.config.flavor == .mariadb)
        #expect(Set(loaded.warnings.map(\.path)) == ["enable-relay", "purge", "checker"])
    }

    @Test func neverPrintsThePasswordByDefault() throws {
        let c = try SourceConfig.load(yaml: ConfigFixtures.source2Relay).config
        #expect(!c.description.contains("secret-pw"))
        #expect(!"\(c)".contains("secret-pw"))
        #expect(c.redacted.from.password == DatabaseConfig.redactedPassword)
        let json = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        #expect(!json.contains("secret-pw") && json.contains("******"))
        let clearEncoder = JSONEncoder()
        clearEncoder.userInfo[.braidIncludePasswords] = true
        #expect(try JSONDecoder().decode(SourceConfig.self, from: clearEncoder.encode(c)) == c)
        // The binary form (source events) keeps the credential the worker needs.
        #expect(try SourceConfig(decoding: c.encodedBytes()) == c)
    }

    @Test func namesTheFieldOnErrors() {
        #expect(throws: ConfigError(.missingField, path: "source-id", "is required")) {
            try SourceConfig.load(yaml: "from: {host: h, user: u}")
        }
        #expect(throws: ConfigError(.invalidValue, path: "flavor", "expected mysql|mariadb, got \"oracle\"")) {
            try SourceConfig.load(yaml: "source-id: s\nflavor: oracle\nfrom: {host: h, user: u}")
        }
        do {
            _ = try SourceConfig.load(yaml: "source-id: s\nfrom: {host: h, user: u, port: 99999}")
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "from.port" && error.code == .invalidValue)
        }
    }

    @Test func malformedYAMLHasALocation() {
        do {
            _ = try SourceConfig.load(yaml: "source-id: s\nfrom:\n  host: [unclosed\n  user: u\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedYAML)
            #expect(error.line != nil && error.column != nil)
            #expect(error.description.contains("line"))
        }
    }
}

@Suite struct TaskConfigTests {
    @Test func loadsTheShardDDLFixture() throws {
        let loaded = try TaskConfig.load(yaml: ConfigFixtures.doubleSourcePessimistic)
        let t = loaded.config
        #expect(t.name == "test" && t.taskMode == .all && t.shardMode == .pessimistic && t.metaSchema == "dm_meta")
        #expect(t.sourceIDs == ["mysql-replica-01", "mysql-replica-02"])
        #expect(t.targetDatabase.port == 4000)
        #expect(
            t.routeRules(for: "mysql-replica-01") == [
                RouteRule(schemaPattern: "shardddl*", tablePattern: "tb*", targetSchema: "shardddl", targetTable: "tb"),
                RouteRule(schemaPattern: "shardddl*", targetSchema: "shardddl"),
            ]
        )
        #expect(t.blockAllowList(for: "mysql-replica-02")?.doDBs == ["shardddl1", "shardddl2"])
        #expect(
            t.blockAllowList(for: "mysql-replica-02")?.doTables == [TableRef(dbName: "shardddl1", tableName: "tb1")]
        )
        #expect(t.filters["no-truncate"]?.action == .ignore)
        #expect(
            t.syncer(for: "mysql-replica-01")
                == SyncerConfig(workerCount: 16, batch: 100, safeModeDurationMilliseconds: 90_000)
        )
        #expect(t.mydumpers["global"] == DumperConfig(threads: 4, rows: 10000, chunkFilesize: "64"))
        #expect(
            t.instance(for: "mysql-replica-02")?.meta?.position == BinlogPosition(file: "mysql-bin.000001", pos: 1234)
        )
        #expect(Set(loaded.warnings.map(\.path)) == ["ignore-checking-items", "mydumpers.global.skip-tz-utc"])
        #expect(try TaskConfig(decoding: t.encodedBytes()) == t)
        let clear = JSONEncoder()
        clear.userInfo[.braidIncludePasswords] = true
        #expect(try JSONDecoder().decode(TaskConfig.self, from: clear.encode(t)) == t)
    }

    @Test func legacyIsShardingMeansPessimistic() throws {
        let yaml = Self.minimal.replacingOccurrences(of: "task-mode: all", with: "task-mode: all\nis-sharding: true")
        #expect(try TaskConfig.load(yaml: yaml).config.shardMode == .pessimistic)
        #expect(try TaskConfig.load(yaml: Self.minimal).config.shardMode == nil)
        let optimistic = Self.minimal.replacingOccurrences(
            of: "task-mode: all",
            with: "task-mode: all\nshard-mode: optimistic\nstrict-optimistic-shard-mode: true"
        )
        let loaded = try TaskConfig.load(yaml: optimistic).config
        #expect(loaded.shardMode == .optimistic && loaded.strictOptimisticShardMode)
    }

    @Test func unknownKeysAreWarningsNotErrors() throws {
        let yaml = Self.minimal + "\nfancy-new-option: 3\n"
        let loaded = try TaskConfig.load(yaml: yaml)
        #expect(loaded.warnings == [ConfigWarning(path: "fancy-new-option", "unknown key, ignored", kind: .unknownKey)])
    }

    @Test func nestedUnknownKeysWarnWithTheirPath() throws {
        let yaml =
            Self.minimal
            + "\n    meta: {binlog-gtid: '0-1-5', binlog-offset: 3}\nroutes:\n  r: {schema-pattern: a, target-schema: b, colour: red}"
        let loaded = try TaskConfig.load(yaml: yaml)
        #expect(Set(loaded.warnings.map(\.path)) == ["mysql-instances[0].meta.binlog-offset", "routes.r.colour"])
        let meta = try #require(loaded.config.instance(for: "s1")?.meta)
        #expect(meta.position == nil)
        #expect(try meta.gtidSet(flavor: .mariadb) == GTIDSet.parse("0-1-5", flavor: .mariadb))
        #expect(throws: PositionError.self) { try meta.gtidSet(flavor: .mysql) }
    }

    @Test("a task DM exported (get-config / config export) loads; only keys that ask for something warn")
    func loadsADMExportedTask() throws {
        let loaded = try TaskConfig.load(yaml: ConfigFixtures.dmExportedTask)
        let t = loaded.config
        #expect(t.shardMode == .pessimistic && t.sourceIDs == ["shard-a", "shard-b"])
        #expect(t.instance(for: "shard-a")?.blockAllowList == "orders-only")
        #expect(t.blockAllowList(for: "shard-b")?.doTables == [TableRef(dbName: "shop_*", tableName: "orders_*")])
        #expect(t.instance(for: "shard-a")?.meta == nil)
        #expect(t.instance(for: "shard-b")?.meta?.position == BinlogPosition(file: "mariadb-bin.000004", pos: 812))
        #expect(t.filters["refuse-drop"]?.action == .error)
        #expect(t.namedFilterRules(for: "shard-a").map(\.name) == ["keep-dml", "refuse-drop"])
        #expect(t.syncer(for: "shard-b").batch == 200)
        #expect(try TaskConfig(decoding: t.encodedBytes()) == t)
        let paths = Set(loaded.warnings.map(\.path))
        // Features left off (`false`, `0`, `""`, `[]`, `null`) say nothing; the ones asking for something do.
        #expect(!paths.contains("enable-heartbeat") && !paths.contains("mysql-instances[0].syncer-thread"))
        #expect(!paths.contains("syncers.sync-main.compact") && !paths.contains("black-white-list"))
        for expected in [
            "online-ddl", "heartbeat-update-interval", "collation_compatible", "validators", "ansi-quotes",
            "mysql-instances[0].continuous-validator-config-name", "loaders.load-main.sorting-dir",
            "mydumpers.dump-main.statement-size", "syncers.sync-main.queue-size",
        ] {
            #expect(paths.contains(expected), "\(expected) in \(paths.sorted())")
        }
        // Strict loading refuses exactly those keys, naming them.
        do {
            _ = try loaded.checked(strict: true)
            Issue.record("strict loading accepted unsupported keys")
        } catch {
            #expect(error.code == .unsupportedKey)
            #expect(error.message.contains("online-ddl") && error.message.contains("mysql-instances[1].continuous-validator-config-name"))
        }
    }

    @Test("strict: unknown and ignored keys refused by name; notes and a clean file pass")
    func strictLoading() throws {
        let unknown = try TaskConfig.load(yaml: Self.minimal + "\n    colour: red\nfancy: 1\n")
        #expect(unknown.warnings.map(\.kind) == [.unknownKey, .unknownKey])
        #expect(try unknown.checked(strict: false) == unknown.config)
        #expect(throws: ConfigError(.unsupportedKey, path: "", "strict: keys Braid does not know or ignores: mysql-instances[0].colour, fancy")) {
            try unknown.checked(strict: true)
        }
        let ignored = try TaskConfig.load(yaml: Self.minimal + "\nonline-ddl: true\n")
        #expect(ignored.warnings.map(\.kind) == [.ignoredKey])
        #expect(throws: ConfigError(.unsupportedKey, path: "", "strict: a key Braid does not know or ignores: online-ddl")) {
            try ignored.checked(strict: true)
        }
        // A note (strict-optimistic-shard-mode without optimistic mode) is no unsupported key.
        let note = try TaskConfig.load(yaml: Self.minimal + "\nstrict-optimistic-shard-mode: true\n")
        #expect(note.warnings.map(\.kind) == [.note])
        #expect(try note.checked(strict: true) == note.config)
        let source = try SourceConfig.load(yaml: ConfigFixtures.source2Relay)
        #expect(throws: ConfigError.self) { try source.checked(strict: true) }
        #expect(try SourceConfig.load(yaml: ConfigFixtures.source1).checked(strict: true).sourceID == "mysql-replica-01")
    }

    @Test("legacy black-white-list: empty next to block-allow-list, or naming the same list, is accepted")
    func legacyBlockAllowListSpellings() throws {
        let lists = "\nblock-allow-list:\n  a: {do-dbs: [x]}\nblack-white-list: {}"
        let empty = try TaskConfig.load(yaml: Self.minimal + "\n    block-allow-list: a\n    black-white-list: \"\"" + lists)
        #expect(empty.config.instance(for: "s1")?.blockAllowList == "a")
        let same = try TaskConfig.load(yaml: Self.minimal + "\n    block-allow-list: a\n    black-white-list: a" + lists)
        #expect(same.config.instance(for: "s1")?.blockAllowList == "a")
        let legacyOnly = try TaskConfig.load(yaml: Self.minimal + "\n    black-white-list: b\nblack-white-list:\n  b: {do-dbs: [y]}")
        #expect(legacyOnly.config.blockAllowList(for: "s1")?.doDBs == ["y"])
        #expect(legacyOnly.warnings.contains { $0.path == "black-white-list" && $0.kind == .note })
    }

    @Test("is-sharding true with shard-mode keeps the mode; true alone is pessimistic; false alone is no sharding")
    func isShardingCombinations() throws {
        func mode(_ lines: String) throws -> ShardMode? {
            try TaskConfig.load(yaml: Self.minimal.replacingOccurrences(of: "task-mode: all", with: "task-mode: all\n" + lines)).config.shardMode
        }
        #expect(try mode("is-sharding: true\nshard-mode: optimistic") == .optimistic)
        #expect(try mode("is-sharding: true\nshard-mode: \"\"") == .pessimistic)
        #expect(try mode("is-sharding: false") == nil)
        #expect(try mode("is-sharding: false\nshard-mode: \"\"") == nil)
    }

    @Test("filter action Error is read in any case and survives the binary form")
    func errorFilterAction() throws {
        let yaml = Self.minimal + "\n    filter-rules: [stop]\nfilters:\n  stop: {schema-pattern: 'a*', events: [drop table], action: error}"
        let t = try TaskConfig.load(yaml: yaml).config
        #expect(t.filters["stop"]?.action == .error)
        #expect(try TaskConfig(decoding: t.encodedBytes()).filters["stop"]?.action == .error)
    }

    static let minimal = """
        name: t
        task-mode: all
        target-database: {host: h, user: u, password: topsecret}
        mysql-instances:
          - source-id: s1
        """

    static let withRules = """
        name: t
        task-mode: all
        target-database: {host: h, user: u}
        routes:
          r1: {schema-pattern: "a*", target-schema: a}
        filters:
          f1: {schema-pattern: "a*", events: ["all dml"], action: Do}
        mysql-instances:
          - source-id: s1
            route-rules: [r1]
          - source-id: s2
            route-rules: [r9]
        """

    static let invalidCases: [(yaml: String, expected: String)] = [
        (withRules, "mysql-instances[1].route-rules[0]: unknown route \"r9\""),
        (
            minimal.replacingOccurrences(of: "task-mode: all", with: "task-mode: fast"),
            "task-mode: expected all|full|incremental, got \"fast\""
        ),
        (
            minimal.replacingOccurrences(of: "task-mode: all", with: "task-mode: all\nshard-mode: brave"),
            "shard-mode: expected pessimistic|optimistic, got \"brave\""
        ),
        (minimal.replacingOccurrences(of: "name: t\n", with: ""), "name: is required"),
        (minimal + "\n  - source-id: s1", "mysql-instances[1].source-id: source \"s1\" appears twice"),
        (minimal + "\n    filter-rules: [nope]", "mysql-instances[0].filter-rules[0]: unknown filter \"nope\""),
        (minimal + "\n    syncer-config-name: g", "mysql-instances[0].syncer-config-name: unknown syncer config \"g\""),
        (
            minimal + "\n    block-allow-list: bal",
            "mysql-instances[0].block-allow-list: unknown block-allow list \"bal\""
        ),
        (minimal + "\n    meta: {binlog-pos: 4}", "mysql-instances[0].meta: binlog-name or binlog-gtid is required"),
        (minimal + "\nsyncers:\n  g: {worker-count: 0}", "syncers.g.worker-count: must be positive, got 0"),
        (
            minimal + "\nsyncers:\n  g: {safe-mode-duration: soon}",
            "syncers.g.safe-mode-duration: expected a duration such as \"60s\" or \"1m30s\", got \"soon\""
        ),
        (
            minimal + "\nfilters:\n  f: {schema-pattern: x, action: Maybe}",
            "filters.f.action: expected Do|Ignore|Error, got \"Maybe\""
        ),
        (
            minimal + "\nroutes:\n  r: {schema-pattern: x, table-pattern: y, target-schema: z}",
            "routes.r.target-table: is required when table-pattern is set"
        ),
        (
            minimal.replacingOccurrences(of: "target-database: {host: h, user: u, password: topsecret}\n", with: ""),
            "target-database: is required"
        ),
        (
            "name: t\ntask-mode: all\ntarget-database: {host: h, user: u}\nmysql-instances: []",
            "mysql-instances: at least one instance is required"
        ),
        ("name: t\ntask-mode: all\ntask-mode: full", "task-mode: key appears twice (line 3, column 1)"),
        (
            minimal.replacingOccurrences(of: "task-mode: all", with: "task-mode: all\nis-sharding: false\nshard-mode: optimistic"),
            "is-sharding: false contradicts shard-mode \"optimistic\" (a task with a shard mode merges shards; drop is-sharding or set it true)"
        ),
        (
            minimal.replacingOccurrences(of: "task-mode: all", with: "task-mode: all\nis-sharding: false\nshard-mode: pessimistic"),
            "is-sharding: false contradicts shard-mode \"pessimistic\" (a task with a shard mode merges shards; drop is-sharding or set it true)"
        ),
        (
            minimal + "\n    block-allow-list: a\n    black-white-list: b\nblock-allow-list:\n  a: {do-dbs: [x]}\n  b: {do-dbs: [y]}",
            "mysql-instances[0].black-white-list: \"b\" conflicts with block-allow-list \"a\""
        ),
        (
            minimal + "\nblock-allow-list:\n  a: {do-dbs: [x]}\nblack-white-list:\n  b: {do-dbs: [y]}",
            "black-white-list: cannot be set together with block-allow-list"
        ),
        ("name: t\ntask-mode: all\ntarget-database: {host: h, user: [u\n", "malformed YAML"),
        ("- just\n- a list\n", "expected a mapping, got a list (line 1, column 1)"),
    ]

    @Test(arguments: Self.invalidCases)
    func validationNamesTheFieldPath(yaml: String, expected: String) {
        do {
            _ = try TaskConfig.load(yaml: yaml)
            Issue.record("expected: \(expected)")
        } catch {
            if expected == "malformed YAML" {
                #expect(error.code == .malformedYAML && error.line != nil, "\(error)")
            } else {
                #expect(error.description == expected)
            }
        }
    }

    @Test func targetPasswordIsRedacted() throws {
        let t = try TaskConfig.load(yaml: Self.minimal).config
        let json = String(decoding: try JSONEncoder().encode(t), as: UTF8.self)
        #expect(!json.contains("topsecret"))
        #expect(!"\(t.targetDatabase)".contains("topsecret"))
        #expect(t.redacted.targetDatabase.password == DatabaseConfig.redactedPassword)
    }
}
