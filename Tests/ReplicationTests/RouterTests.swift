import Domain
import Testing

@testable import Replication

@Suite struct RouterTests {
    /// The DM shard fixture (dm-reference §3.0): `shardddl*`.`tb*` merge into `shardddl`.`tb`.
    let shardRouter = try! Router(
        blockAllowList: BlockAllowList(doDBs: ["shardddl1", "shardddl2"]),
        routes: [
            RouteRule(schemaPattern: "shardddl*", tablePattern: "tb*", targetSchema: "shardddl", targetTable: "tb"),
            RouteRule(schemaPattern: "shardddl*", targetSchema: "shardddl"),
        ],
        filters: [])

    @Test func shardTablesMergeIntoOneTarget() {
        #expect(self.shardRouter.route(TableName("shardddl1", "tb1")) == TableName("shardddl", "tb"))
        #expect(self.shardRouter.route(TableName("shardddl2", "tb2")) == TableName("shardddl", "tb"))
        #expect(self.shardRouter.route(TableName("SHARDDDL2", "TB2")) == TableName("shardddl", "tb"))
        // The schema route keeps the table name; a table route wins over it regardless of order.
        #expect(self.shardRouter.route(TableName("shardddl1", "other")) == TableName("shardddl", "other"))
        #expect(self.shardRouter.route(TableName("elsewhere", "tb1")) == TableName("elsewhere", "tb1"))
        #expect(self.shardRouter.routeSchema("shardddl2") == "shardddl")
    }

    @Test func blockAllowListFollowsDM() throws {
        #expect(self.shardRouter.allows(TableName("shardddl1", "tb1")))
        #expect(!self.shardRouter.allows(TableName("other", "tb1")))
        #expect(!self.shardRouter.allows(TableName("mysql", "user")))
        let router = try Router(
            blockAllowList: BlockAllowList(
                doTables: [TableRef(dbName: "db", tableName: "t?")],
                ignoreTables: [TableRef(dbName: "db", tableName: "t9")]),
            routes: [], filters: [])
        #expect(router.allows(TableName("db", "t1")))
        #expect(router.allows(TableName("db", "t9")))  // do-tables is checked first
        #expect(!router.allows(TableName("db", "t10")))
        #expect(!router.allows(TableName("other", "t1")))
        let ignoring = try Router(
            blockAllowList: BlockAllowList(ignoreDBs: ["~^tmp_"], ignoreTables: [TableRef(dbName: "*", tableName: "log*")]),
            routes: [], filters: [])
        #expect(!ignoring.allows(TableName("tmp_x", "a")))
        #expect(ignoring.allows(TableName("x_tmp_", "a")))
        #expect(!ignoring.allows(TableName("app", "log_2024")))
        #expect(ignoring.allows(TableName("app", "users")))
    }

    @Test func eventFiltersDropWhatTheyName() throws {
        let router = try Router(
            blockAllowList: nil, routes: [],
            filters: [
                FilterRule(schemaPattern: "app", tablePattern: "audit*", events: ["all dml"], action: .ignore),
                FilterRule(schemaPattern: "app", events: ["truncate table", "drop table"], action: .ignore),
                FilterRule(schemaPattern: "app", sqlPattern: ["^ALTER TABLE .* DROP COLUMN"], action: .ignore),
                FilterRule(schemaPattern: "only_inserts", events: ["insert"], action: .do),
            ])
        let audit = TableName("app", "audit_1")
        #expect(router.filters(.insert, on: audit, schema: "app"))
        #expect(!router.filters(.insert, on: TableName("app", "users"), schema: "app"))
        #expect(router.filters(.truncateTable, on: TableName("app", "users"), schema: "app"))
        #expect(
            router.filters(.alterTable, on: TableName("app", "users"), schema: "app", sql: "alter table users drop column x"))
        #expect(
            !router.filters(.alterTable, on: TableName("app", "users"), schema: "app", sql: "alter table users add column x int"))
        #expect(!router.filters(.insert, on: TableName("only_inserts", "t"), schema: "only_inserts"))
        #expect(router.filters(.delete, on: TableName("only_inserts", "t"), schema: "only_inserts"))
    }

    @Test("an Error filter that matches names its rule; the first deciding rule wins")
    func errorFiltersNameTheirRule() throws {
        let router = try Router(
            blockAllowList: nil, routes: [],
            filters: [
                FilterRule(schemaPattern: "app", tablePattern: "scratch*", events: ["all"], action: .ignore),
                FilterRule(schemaPattern: "app", events: ["drop table", "truncate table"], action: .error),
                FilterRule(schemaPattern: "app", sqlPattern: ["^alter table .* drop column"], action: .error),
            ],
            filterNames: ["skip-scratch", "no-drops", "no-drop-column"])
        let users = TableName("app", "users")
        #expect(router.filterVerdict(.dropTable, on: users, schema: "app") == .error(rule: "no-drops"))
        #expect(router.filterVerdict(.truncateTable, on: users, schema: "app") == .error(rule: "no-drops"))
        #expect(
            router.filterVerdict(.alterTable, on: users, schema: "app", sql: "ALTER TABLE users DROP COLUMN x")
                == .error(rule: "no-drop-column"))
        #expect(router.filterVerdict(.insert, on: users, schema: "app") == .keep)
        #expect(router.filterVerdict(.dropTable, on: TableName("app", "scratch_1"), schema: "app") == .drop)
        #expect(router.filterVerdict(.dropTable, on: TableName("other", "t"), schema: "other") == .keep)
        // `filters(...)` is the drop decision only: an Error verdict is not silently dropped.
        #expect(!router.filters(.dropTable, on: users, schema: "app"))
        let unnamed = try Router(
            blockAllowList: nil, routes: [], filters: [FilterRule(schemaPattern: "*", events: ["all ddl"], action: .error)])
        #expect(unnamed.filterVerdict(.createTable, on: users, schema: "app") == .error(rule: "filters[0]"))
    }

    @Test func badRulesAreTypedErrors() {
        #expect(throws: RouterError.self) {
            _ = try Router(blockAllowList: BlockAllowList(doDBs: ["~(unclosed"]), routes: [], filters: [])
        }
        do {
            _ = try Router(
                blockAllowList: nil, routes: [],
                filters: [FilterRule(schemaPattern: "a", events: ["insertt"], action: .ignore)])
            Issue.record("an unknown event type was accepted")
        } catch {
            #expect(error.code == .unknownEventType)
            #expect(error.message.contains("insertt"))
        }
    }

    @Test func wildcardsMatchLikeGlobs() throws {
        #expect(try NamePattern("tb*").matches("tb"))
        #expect(try NamePattern("tb*").matches("tb_12"))
        #expect(try !NamePattern("tb?").matches("tb"))
        #expect(try NamePattern("*a*b*").matches("xxaxxbxx"))
        #expect(try !NamePattern("*a*b").matches("xxaxxbxx"))
        #expect(try NamePattern("~^shard[0-9]+$").matches("Shard12"))
    }
}
