import BraidTestSupport
import Foundation
import Testing

/// DM's shard-DDL integration scenarios (dm-reference §3, S01–S34) that apply to MariaDB, run for real:
/// one cluster (two upstream MariaDB, one downstream, master, two workers) per test, one task per
/// scenario, started with `--remove-meta` after the previous scenario's databases are dropped.
extension ClusterSuites {
@Suite struct ShardDDLScenarioTests {
    /// `source` 0 is `mysql-replica-01`, 1 is `mysql-replica-02`.
    enum Step {
        case sql(Int, String)
        /// The downstream equals the merged upstream (on `columns`).
        case consistent(columns: String = "*")
        /// Runs a marker insert (on a table that is not held) and waits for it downstream; rows logged
        /// before it that are not downstream by then are held. Then the downstream must differ.
        case heldBehindMarker(Int, String, id: String)
        case downstreamCount(Int)
        /// A subtask reports an error containing this text.
        case subtaskError(String)
        /// `braid ctl` arguments, which must succeed.
        case ctl([String])
        /// `braid ctl shard-ddl-lock` lists a lock whose text holds every one of these (an optimistic
        /// conflict DM shows as a blocked DDL).
        case lockShows([String])
        /// Runs a statement on the downstream (a table an operator created there).
        case downstream(String)
        /// `braid ctl shard-ddl-lock` lists no lock of this task.
        case noLocks
        /// Like `consistent`, over other upstream tables (after a rename) or only some rows.
        case consistentOver([(source: Int, table: String)], columns: String = "*", rows: String = "")
        /// The downstream target's columns, in order, comma-separated.
        case downstreamColumns(String)
        /// A subtask is Paused with an error holding every one of these texts (`query-status`).
        case paused([String])
        /// Writes a file into the cluster's folder; `$ROOT` in `ctl` arguments names that folder.
        case writeFile(String, String)
        /// Every subtask runs again in unit Sync, with no error.
        case syncing
        /// SIGKILLs the worker bound to this source and starts it again; once it has re-sent its
        /// blocked Info (the master's log has one more `optimism.infoReported`), `shard-ddl-lock`
        /// must list exactly what it listed before: the same decision under the same operation.
        case workerRestartKeepsLocks(Int)
        /// The downstream target's partition names, in order, comma-separated (empty: not partitioned).
        case downstreamPartitions(String)
    }

    struct Scenario: CustomStringConvertible {
        var id: String
        /// `pessimistic`, `optimistic`, or nil (no shard mode).
        var mode: String?
        var tables: [(source: Int, table: String)]
        var definition = "(id INT PRIMARY KEY)"
        var routes = true
        var safeMode = false
        var steps: [Step]
        var description: String { "\(self.id) [\(self.mode ?? "no-sharding")]" }
    }

    static let t111: (Int, String) = (0, "shardddl1.tb1")
    static let t112: (Int, String) = (0, "shardddl1.tb2")
    static let t211: (Int, String) = (1, "shardddl1.tb1")
    static let t212: (Int, String) = (1, "shardddl1.tb2")

    static func basic(_ mode: String) -> [Scenario] {
        [
            // S02 DM_002: both tables of one source add the same column.
            Scenario(id: "S02/DM_002", mode: mode, tables: [t111, t112], steps: [
                .sql(0, "alter table shardddl1.tb1 add column new_col1 int"),
                .sql(0, "alter table shardddl1.tb2 add column new_col1 int"),
                .sql(0, "insert into shardddl1.tb1 values (1,1)"), .sql(0, "insert into shardddl1.tb2 values (2,2)"),
                .consistent(),
            ]),
            // S04 DM_006-009: each source has one table; both add the column, then insert.
            Scenario(id: "S04/DM_006", mode: mode, tables: [t111, t211], steps: [
                .sql(0, "alter table shardddl1.tb1 add column new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
                .sql(1, "alter table shardddl1.tb1 add column new_col1 int"), .sql(1, "insert into shardddl1.tb1 values (2,2)"),
                .consistent(),
            ]),
            // S04 DM_007-009: the second source's table in the other table name or database of the route.
            Scenario(id: "S04/DM_007", mode: mode, tables: [t111, (1, "shardddl1.tb2")], steps: s04(on: "shardddl1.tb2")),
            Scenario(id: "S04/DM_008", mode: mode, tables: [t111, (1, "shardddl2.tb1")], steps: s04(on: "shardddl2.tb1")),
            Scenario(id: "S04/DM_009", mode: mode, tables: [t111, (1, "shardddl2.tb2")], steps: s04(on: "shardddl2.tb2")),
            // S05 DM_010 / DM_013: two DDLs per table in the same order, interleaved with inserts.
            Scenario(id: "S05/DM_010", mode: mode, tables: [t111, t112], steps: [
                .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
                .sql(0, "alter table shardddl1.tb1 add new_col2 int"), .sql(0, "insert into shardddl1.tb1 values (2,2,2)"),
                .sql(0, "alter table shardddl1.tb2 add new_col1 int"), .sql(0, "insert into shardddl1.tb2 values (3,3)"),
                .sql(0, "alter table shardddl1.tb2 add new_col2 int"), .sql(0, "insert into shardddl1.tb2 values (4,4,4)"),
                .consistent(),
            ]),
            // S09 DM_019: TRUNCATE of one shard is not replicated to the merged table.
            Scenario(id: "S09/DM_019", mode: mode, tables: [t111, t211], steps: [
                .sql(0, "insert into shardddl1.tb1 values (1)"), .sql(1, "insert into shardddl1.tb1 values (2)"),
                .downstreamCount(2),
                .sql(0, "truncate table shardddl1.tb1"), .sql(1, "insert into shardddl1.tb1 values (3)"),
                .downstreamCount(3),
            ]),
            // S15 DM_030: inserts on the other source while one source has already altered.
            Scenario(id: "S15/DM_030", mode: mode, tables: [t111, t211], steps: [
                .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
                .sql(1, "insert into shardddl1.tb1 values (2)"),
                .sql(1, "alter table shardddl1.tb1 add new_col1 int"),
                .sql(0, "insert into shardddl1.tb1 values (3,3)"), .sql(1, "insert into shardddl1.tb1 values (4,4)"),
                .consistent(),
            ]),
            // S25 DM_046: drop a column on every table in turn.
            Scenario(id: "S25/DM_046", mode: mode, tables: [t111, t211, t212], definition: "(a INT PRIMARY KEY, b VARCHAR(10))", steps: [
                .sql(0, "alter table shardddl1.tb1 drop column b"), .sql(0, "insert into shardddl1.tb1 values (1)"),
                .sql(1, "insert into shardddl1.tb1 values (2,'x')"), .sql(1, "insert into shardddl1.tb2 values (3,'y')"),
                .sql(1, "alter table shardddl1.tb1 drop column b"), .sql(1, "insert into shardddl1.tb1 values (4)"),
                .sql(1, "alter table shardddl1.tb2 drop column b"), .sql(1, "insert into shardddl1.tb2 values (5)"),
                .consistent(columns: "a"), .downstreamCount(5),
            ]),
            // S30 DM_062: every table widens its key column.
            Scenario(id: "S30/DM_062", mode: mode, tables: [t111, t211, t212], steps: [
                .sql(0, "insert into shardddl1.tb1 values (1)"),
                .sql(0, "alter table shardddl1.tb1 modify id bigint"), .sql(0, "insert into shardddl1.tb1 values (2)"),
                .sql(1, "alter table shardddl1.tb1 modify id bigint"), .sql(1, "insert into shardddl1.tb1 values (3)"),
                .sql(1, "alter table shardddl1.tb2 modify id bigint"), .sql(1, "insert into shardddl1.tb2 values (4000000000)"),
                .consistent(),
            ]),
            // S32 DM_076: add a primary key to a table that only had a unique key.
            Scenario(id: "S32/DM_076", mode: mode, tables: [t111], definition: "(a INT UNIQUE, id INT)", steps: [
                .sql(0, "insert into shardddl1.tb1 values (1,1)"),
                .sql(0, "alter table shardddl1.tb1 add primary key(id)"), .sql(0, "insert into shardddl1.tb1 values (2,2)"),
                .consistent(),
            ]),
        ]
    }

    static func s04(on table: String) -> [Step] {
        [
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(1, "alter table \(table) add column new_col1 int"), .sql(1, "insert into \(table) values (2,2)"),
            .consistent(),
        ]
    }

    /// DM runs these in pessimistic mode only (dm-reference §3: DM_033's optimistic case is commented out).
    static let pessimisticOnly: [Scenario] = [
        // S17 DM_033: NOT NULL column added on every table in turn, with inserts between.
        Scenario(id: "S17/DM_033", mode: "pessimistic", tables: [t111, t211, t212], definition: "(a INT PRIMARY KEY, b INT)", steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int not null"), .sql(0, "insert into shardddl1.tb1 values (1,1,1)"),
            .sql(1, "insert into shardddl1.tb1 values (2,null)"), .sql(1, "insert into shardddl1.tb2 values (3,null)"),
            .sql(1, "alter table shardddl1.tb1 add new_col1 int not null"), .sql(1, "insert into shardddl1.tb1 values (4,4,4)"),
            .sql(1, "insert into shardddl1.tb2 values (5,null)"),
            .sql(1, "alter table shardddl1.tb2 add new_col1 int not null"), .sql(1, "insert into shardddl1.tb2 values (6,6,6)"),
            .consistent(),
        ]),
        // S29 DM_057: every table renames its key column the same way.
        Scenario(id: "S29/DM_057", mode: "pessimistic", tables: [t111, t211, t212], steps: [
            .sql(0, "alter table shardddl1.tb1 change id new_col int default 1"), .sql(0, "insert into shardddl1.tb1 values (1)"),
            .sql(1, "alter table shardddl1.tb1 change id new_col int default 1"), .sql(1, "insert into shardddl1.tb1 values (2)"),
            .sql(1, "alter table shardddl1.tb2 change id new_col int default 1"), .sql(1, "insert into shardddl1.tb2 values (3)"),
            .consistent(),
        ]),
        // S02 DM_003: a row written after one table's DDL waits for the other table's DDL.
        Scenario(id: "S02/DM_003", mode: "pessimistic", tables: [t111, t112], steps: [
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .heldBehindMarker(0, "insert into shardddl1.tb2 values (99)", id: "99"),
            .sql(0, "alter table shardddl1.tb2 add column new_col1 int"),
            .consistent(),
        ]),
        // S06 DM_011: different column types on the two sources: the master refuses the second Info.
        Scenario(id: "S06/DM_011", mode: "pessimistic", tables: [t111, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int"),
            .sql(1, "alter table shardddl1.tb1 add column new_col1 float"),
            .subtaskError("is different with"),
        ]),
        // S21 DM_102: different defaults block the lock; an operator unlocks it: source 1 executes its DDL,
        // source 2 is told to skip its own, and rows flow again.
        Scenario(id: "S21/DM_102", mode: "pessimistic", tables: [t111, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int default 0"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(1, "alter table shardddl1.tb1 add column new_col1 int default -1"),
            .subtaskError("is different with"),
            .ctl(["shard-ddl-lock", "unlock", "test-`shardddl`.`tb`"]),
            .sql(1, "insert into shardddl1.tb1 values (2,2)"),
            .downstreamCount(2),
        ]),
        // S08 DM_016/DM_018: dropping one shard is not replicated to the merged table; the shard comes back.
        Scenario(id: "S08/DM_016", mode: "pessimistic", tables: [t111, t211], steps: [
            .sql(0, "insert into shardddl1.tb1 values (1)"), .sql(1, "insert into shardddl1.tb1 values (2)"),
            .downstreamCount(2),
            .sql(0, "drop table shardddl1.tb1"), .sql(1, "insert into shardddl1.tb1 values (3)"),
            .downstreamCount(3),
            .sql(0, "create table if not exists shardddl1.tb1 (id int primary key)"), .sql(0, "insert into shardddl1.tb1 values (5)"),
            .downstreamCount(4),
        ]),
        // S20 DM_SAME_DDL_TWICE: the same DDL twice in a sequence on every table.
        Scenario(id: "S20/SAME_DDL_TWICE", mode: "pessimistic", tables: [t111, t211, t212], steps: [
            .sql(1, "alter table shardddl1.tb1 add column new_col1 int"), .sql(1, "insert into shardddl1.tb1 values (1,1)"),
            .sql(1, "alter table shardddl1.tb1 drop column new_col1"), .sql(1, "insert into shardddl1.tb1 values (2)"),
            .sql(1, "alter table shardddl1.tb1 add column new_col1 int"), .sql(1, "insert into shardddl1.tb1 values (3,3)"),
            .sql(1, "alter table shardddl1.tb2 add column new_col1 int"), .sql(1, "insert into shardddl1.tb2 values (4,4)"),
            .sql(1, "alter table shardddl1.tb2 drop column new_col1"), .sql(1, "insert into shardddl1.tb2 values (5)"),
            .sql(1, "alter table shardddl1.tb2 add column new_col1 int"), .sql(1, "insert into shardddl1.tb2 values (6,6)"),
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (7,7)"),
            .sql(0, "alter table shardddl1.tb1 drop column new_col1"), .sql(0, "insert into shardddl1.tb1 values (8)"),
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (9,9)"),
            .consistent(),
        ]),
    ]

    static let optimisticOnly: [Scenario] = [
        // S03 DM_004: a row of the altered table arrives at once.
        Scenario(id: "S03/DM_004", mode: "optimistic", tables: [t111, t112], steps: [
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .downstreamCount(1),
            .sql(0, "alter table shardddl1.tb2 add column new_col1 int"), .sql(0, "insert into shardddl1.tb2 values (2,2)"),
            .consistent(),
        ]),
        // S07 DM_014: two columns added in opposite orders still join.
        Scenario(id: "S07/DM_014", mode: "optimistic", tables: [t111, t112], steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(0, "alter table shardddl1.tb1 add new_col2 int"), .sql(0, "insert into shardddl1.tb1 values (2,2,2)"),
            .sql(0, "alter table shardddl1.tb2 add new_col2 int"), .sql(0, "insert into shardddl1.tb2 values (3,3)"),
            .sql(0, "alter table shardddl1.tb2 add new_col1 int"), .sql(0, "insert into shardddl1.tb2 values (4,4,4)"),
            .downstreamCount(4),
        ]),
        // S19 DM_035: the same, across sources, with three tables.
        Scenario(id: "S19/DM_035", mode: "optimistic", tables: [t111, t211, t212], steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(0, "alter table shardddl1.tb1 add new_col2 int"), .sql(0, "insert into shardddl1.tb1 values (2,2,2)"),
            .sql(1, "alter table shardddl1.tb1 add new_col2 int"), .sql(1, "insert into shardddl1.tb1 values (3,3)"),
            .sql(1, "alter table shardddl1.tb1 add new_col1 int"), .sql(1, "insert into shardddl1.tb1 values (4,4,4)"),
            .sql(1, "alter table shardddl1.tb2 add new_col2 int"), .sql(1, "insert into shardddl1.tb2 values (5,5)"),
            .sql(1, "alter table shardddl1.tb2 add new_col1 int"), .sql(1, "insert into shardddl1.tb2 values (6,6,6)"),
            .downstreamCount(6),
        ]),
    ]

    static let noSharding: [Scenario] = [
        // S01 DM_001: two tables routed to one target add the same column; the duplicate is tolerated.
        Scenario(id: "S01/DM_001", mode: nil, tables: [t111, t112], steps: [
            .sql(0, "alter table shardddl1.tb1 add column new_col1 int"),
            .sql(0, "alter table shardddl1.tb2 add column new_col1 int"),
            .sql(0, "insert into shardddl1.tb1 values (1,1)"), .sql(0, "insert into shardddl1.tb2 values (2,2)"),
            .consistent(),
        ]),
        // S10 DM_020: without routes, a rename is replicated and rows follow the new name.
        Scenario(id: "S10/DM_020", mode: nil, tables: [t111], routes: false, steps: [
            .sql(0, "rename table shardddl1.tb1 to shardddl1.tb2"), .sql(0, "insert into shardddl1.tb2 values (1)"),
        ]),
        // S10 DM_022: the rename's target already exists downstream: the subtask stops with the server's error.
        Scenario(id: "S10/DM_022", mode: nil, tables: [t111], routes: false, steps: [
            .downstream("CREATE TABLE shardddl1.tb2 (id INT)"),
            .sql(0, "rename table shardddl1.tb1 to shardddl1.tb2"),
            .subtaskError("already exists"),
        ]),
        // An unsupported DDL pauses the subtask with an error naming the statement and its position.
        Scenario(id: "unsupported DDL", mode: nil, tables: [t111], steps: [
            .sql(0, "alter table shardddl1.tb1 add constraint chk check (id > 0)"),
            .subtaskError("CHECK constraint"),
        ]),
        // Issue 9: without shard mode, partition DDLs go downstream as they are (routed).
        Scenario(id: "PART/no-sharding", mode: nil, tables: [t111], steps: [
            .sql(0, "alter table shardddl1.tb1 partition by hash(id) partitions 2"),
            .sql(0, "insert into shardddl1.tb1 values (1), (2), (3)"),
            .consistent(),
            .downstreamPartitions("p0,p1"),
            .sql(0, "alter table shardddl1.tb1 coalesce partition 1"),
            .sql(0, "insert into shardddl1.tb1 values (4)"),
            .consistent(),
            .downstreamPartitions("p0"),
            .sql(0, "alter table shardddl1.tb1 remove partitioning"),
            .sql(0, "insert into shardddl1.tb1 values (5)"),
            .consistent(),
            .downstreamPartitions(""),
        ]),
    ]

    /// Issue 9: partitioning two merged shards. `PARTITION BY`, `ADD PARTITION` and `DROP PARTITION`
    /// reach the downstream once (the second shard's is coordinated away, or already done there);
    /// `TRUNCATE PARTITION` of one shard does not empty the merged table.
    static func partitions(_ mode: String) -> [Scenario] {
        [
            Scenario(id: "PART/range", mode: mode, tables: [t111, t211], steps: [
                .sql(0, "alter table shardddl1.tb1 partition by range (id) (partition p0 values less than (10), partition p1 values less than (20))"),
                .sql(1, "alter table shardddl1.tb1 partition by range (id) (partition p0 values less than (10), partition p1 values less than (20))"),
                .sql(0, "insert into shardddl1.tb1 values (1), (11)"),
                .sql(1, "insert into shardddl1.tb1 values (2), (12)"),
                .consistent(),
                .downstreamPartitions("p0,p1"),
                .sql(0, "alter table shardddl1.tb1 add partition (partition p2 values less than (30))"),
                .sql(0, "insert into shardddl1.tb1 values (21)"),
                .sql(1, "alter table shardddl1.tb1 add partition (partition p2 values less than (30))"),
                .sql(1, "insert into shardddl1.tb1 values (22)"),
                .consistent(),
                .downstreamPartitions("p0,p1,p2"),
                // Shard 1 empties its p0 (row 2); the merged table keeps it. The row after it marks
                // that the TRUNCATE was read.
                .sql(1, "alter table shardddl1.tb1 truncate partition p0"),
                .sql(1, "insert into shardddl1.tb1 values (23)"),
                .downstreamCount(7),
                .consistentOver([t111, t211], rows: "id >= 10"),
                .sql(0, "alter table shardddl1.tb1 drop partition p0"),
                .sql(1, "alter table shardddl1.tb1 drop partition p0"),
                .sql(0, "insert into shardddl1.tb1 values (13)"),
                .sql(1, "insert into shardddl1.tb1 values (24)"),
                .consistent(),
                .downstreamPartitions("p1,p2"),
                .syncing,
            ]),
        ]
    }

    @Test func pessimisticScenarios() async throws {
        try await Self.run(Self.basic("pessimistic") + Self.pessimisticOnly + Self.partitions("pessimistic"), label: "scen-pess")
    }

    @Test func pessimisticColumnScenarios() async throws {
        try await Self.run(Self.columns("pessimistic") + Self.pessimisticColumns, label: "scen-pcol")
    }

    @Test func optimisticScenarios() async throws {
        try await Self.run(Self.basic("optimistic") + Self.optimisticOnly + Self.partitions("optimistic"), label: "scen-opt")
    }

    @Test func optimisticColumnScenarios() async throws {
        try await Self.run(Self.columns("optimistic") + Self.optimisticColumns, label: "scen-ocol")
    }

    @Test func noShardingScenarios() async throws {
        try await Self.run(Self.noSharding, label: "scen-none")
    }

    /// `BRAID_SCENARIO=<id prefix>` runs only the scenarios whose id starts with it (while debugging one).
    static func run(_ scenarios: [Scenario], label: String) async throws {
        let only = ProcessInfo.processInfo.environment["BRAID_SCENARIO"]
        let scenarios = scenarios.filter { only == nil || $0.id.hasPrefix(only!) }
        try await ShardMergeFixture.with(label: label) { f in
            for (index, scenario) in scenarios.enumerated() {
                try await self.run(scenario, f, index: index, previous: index > 0 ? "test\(index - 1)" : nil)
            }
        }
    }

    static func run(_ scenario: Scenario, _ f: ShardMergeFixture, index: Int, previous: String?) async throws {
        let s = scenario.description
        // Each scenario is its own task, so nothing of the previous one (a subtask still stopping on a
        // worker, its checkpoint) can be mistaken for this one's.
        let name = "test\(index)"
        // Clean slate: no task, no upstream or downstream databases, no checkpoints.
        if let previous {
            _ = try await f.ctl(["stop-task", previous])
            #expect(try await eventually { (try? await f.ctl(["query-status", previous]).status) != 0 }, "\(s): task stops")
            #expect(try await eventually { await !f.workerTasks().contains(previous) }, "\(s): workers stopped \(previous)")
        }
        for source in 0..<2 {
            try await f.exec(source, "DROP DATABASE IF EXISTS shardddl1")
            try await f.exec(source, "DROP DATABASE IF EXISTS shardddl2")
        }
        _ = try await f.downstreamQuery("DROP DATABASE IF EXISTS shardddl")
        _ = try await f.downstreamQuery("DROP DATABASE IF EXISTS shardddl1")
        _ = try await f.downstreamQuery("DROP DATABASE IF EXISTS dm_meta")
        try await f.createTables(scenario.tables, definition: scenario.definition)
        let sources = Array(Set(scenario.tables.map(\.source))).sorted().map { ShardMergeFixture.sources[$0] }
        let task = try f.writeTask(name, shardMode: scenario.mode, sources: sources, safeMode: scenario.safeMode, routes: scenario.routes)
        // Both sources must be bound (a worker may be re-registering after the previous scenario's load).
        #expect(try await eventually { try await f.boundSources().count == ShardMergeFixture.sources.count }, "\(s): sources bound")
        let started = try await f.ctl(["start-task", task, "--remove-meta"])
        #expect(started.status == 0, "\(s): \(started.text)")
        #expect(try await eventually(timeout: .seconds(60)) { try await f.isSyncing(name) }, "\(s): subtasks sync")
        let target = scenario.routes ? "shardddl.tb" : "shardddl1.tb2"
        for step in scenario.steps {
            switch step {
            case .sql(let source, let sql):
                try await f.exec(source, sql)
            case .consistent(let columns):
                let ok = try await eventually(timeout: .seconds(60)) {
                    try await f.mergedUpstream(scenario.tables, columns: columns) == f.downstreamRows(target, columns: columns)
                }
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): consistent; error \(String(describing: lastError))")
            case .heldBehindMarker(let source, let sql, let id):
                try await f.exec(source, sql)
                let marked = try await eventually(timeout: .seconds(60)) {
                    try await f.downstreamRows(target, columns: "id").contains(id)
                }
                #expect(marked, "\(s): marker row \(id) arrives")
                let same = try await f.mergedUpstream(scenario.tables, columns: "id") == f.downstreamRows(target, columns: "id")
                #expect(!same, "\(s): the held row is not downstream yet")
            case .downstreamCount(let count):
                let ok = try await eventually(timeout: .seconds(60)) {
                    try await f.downstreamQuery("SELECT COUNT(1) FROM \(target)").first?.first == "\(count)"
                }
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): count(1) = \(count); error \(String(describing: lastError))")
            case .subtaskError(let text):
                let ok = try await eventually(timeout: .seconds(60)) { (try await f.subtaskError(name) ?? "").contains(text) }
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): error containing \"\(text)\", got \(String(describing: lastError))")
            case .lockShows(let texts):
                let ok = try await eventually(timeout: .seconds(60)) {
                    let text = try await f.ctl(["shard-ddl-lock", name]).text
                    return texts.allSatisfy { text.contains($0) }
                }
                let locks = (try? await f.ctl(["shard-ddl-lock", name]).text) ?? ""
                #expect(ok, "\(s): shard-ddl-lock shows \(texts); got \(locks)")
            case .downstream(let sql):
                _ = try await f.downstreamQuery(sql)
            case .noLocks:
                let ok = try await eventually(timeout: .seconds(60)) {
                    (try await f.ctl(["shard-ddl-lock", name]).json["locks"] as? [Any])?.isEmpty == true
                }
                let locks = (try? await f.ctl(["shard-ddl-lock", name]).text) ?? ""
                #expect(ok, "\(s): no lock left; got \(locks)")
            case .consistentOver(let tables, let columns, let rows):
                let filter = rows.isEmpty ? "" : " WHERE \(rows)"
                let ok = try await eventually(timeout: .seconds(60)) {
                    try await f.mergedUpstream(tables, columns: columns, filter: filter)
                        == f.downstreamRows(target, columns: columns, filter: filter)
                }
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): consistent over \(tables.map(\.table)); error \(String(describing: lastError))")
            case .workerRestartKeepsLocks(let source):
                let before = try await f.ctl(["shard-ddl-lock", name]).json["locks"] as? NSArray
                #expect((before?.count ?? 0) > 0, "\(s): a lock to keep")
                let reports = { () async throws -> Int in
                    let out = try await f.cluster.run(["log", "show", "--data-dir", f.cluster.root + "/master", "--limit", "100000", "--json"])
                    return out.output.split(separator: "\n").filter { $0.contains("optimism.infoReported") }.count
                }
                let reportsBefore = try await reports()
                let shown = try await f.ctl(["operate-source", "show"]).json["sources"] as? [[String: Any]] ?? []
                let worker = try #require(shown.first { $0["source"] as? String == ShardMergeFixture.sources[source] }?["worker"] as? String)
                f.cluster.kill(worker, signal: SIGKILL)
                try f.startWorker(worker)
                let resent = try await eventually(timeout: .seconds(60)) { try await reports() > reportsBefore }
                #expect(resent, "\(s): \(worker) re-sent its Info after the restart")
                let after = try await f.ctl(["shard-ddl-lock", name]).json["locks"] as? NSArray
                #expect(after == before, "\(s): shard-ddl-lock after the restart: \(String(describing: after)); before: \(String(describing: before))")
            case .syncing:
                let ok = try await eventually(timeout: .seconds(60)) { try await f.isSyncing(name) }
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): subtasks sync again; error \(String(describing: lastError))")
            case .writeFile(let file, let content):
                try content.write(toFile: f.cluster.root + "/" + file, atomically: true, encoding: .utf8)
            case .downstreamColumns(let expected):
                let (schema, table) = (target.split(separator: ".")[0], target.split(separator: ".")[1])
                let query = "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '\(schema)' AND table_name = '\(table)'"
                let ok = try await eventually(timeout: .seconds(60)) { try await f.downstreamQuery(query).first?.first == expected }
                let got = (try? await f.downstreamQuery(query).first?.first) ?? nil
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): downstream columns \(expected), got \(String(describing: got)); error \(String(describing: lastError))")
            case .downstreamPartitions(let expected):
                let (schema, table) = (target.split(separator: ".")[0], target.split(separator: ".")[1])
                let query = "SELECT IFNULL(GROUP_CONCAT(PARTITION_NAME ORDER BY PARTITION_ORDINAL_POSITION), '') FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = '\(schema)' AND TABLE_NAME = '\(table)'"
                let ok = try await eventually(timeout: .seconds(60)) { try await f.downstreamQuery(query).first?.first == expected }
                let got = (try? await f.downstreamQuery(query).first?.first) ?? nil
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): downstream partitions \(expected), got \(String(describing: got)); error \(String(describing: lastError))")
            case .paused(let texts):
                let ok = try await eventually(timeout: .seconds(60)) {
                    let status = try await f.ctl(["query-status", name]).json["status"] as? [String: Any]
                    let subtasks = (status?["subtasks"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? [String: Any] }
                    return subtasks.contains { s in
                        s["stage"] as? String == "Paused" && texts.allSatisfy { (s["error"] as? String ?? "").contains($0) }
                    }
                }
                let lastError = (try? await f.subtaskError(name)) ?? nil
                #expect(ok, "\(s): a subtask paused with \(texts), got \(String(describing: lastError))")
            case .ctl(let arguments):
                let out = try await f.ctl(arguments.map {
                    $0 == "test" ? name : $0.replacingOccurrences(of: "test-`", with: "\(name)-`").replacingOccurrences(of: "$ROOT", with: f.cluster.root)
                })
                #expect(out.status == 0, "\(s): ctl \(arguments): \(out.text)")
            }
        }
        if scenario.id == "S10/DM_020" {
            #expect(try await eventually { try await f.downstreamRows(target, columns: "id") == ["1"] }, "\(s): renamed table has the row")
        }
    }
}
}
