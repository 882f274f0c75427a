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
        #expect(loaded.warnings == [ConfigWarning(path: "fancy-new-option", "unknown key, ignored")])
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
            "filters.f.action: expected Do|Ignore, got \"Maybe\""
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
    ]

    @Test(arguments: Self.invalidCases)
    func validationNamesTheFieldPath(yaml: String, expected: String) {
        do {
            _ = try TaskConfig.load(yaml: yaml)
            Issue.record("expected: \(expected)")
        } catch {
            #expect(error.description == expected)
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
