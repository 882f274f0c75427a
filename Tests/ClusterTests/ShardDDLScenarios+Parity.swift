import Testing

/// Issue 9: DM's scenarios that Braid got wrong when tried as a DM user would, each the shape of
/// DM's own test (`shardddl1..4`, `shardddl_optimistic`).
extension ClusterSuites.ShardDDLScenarioTests {
    static let t122: (Int, String) = (0, "shardddl2.tb1")

    /// Bug 1: both sources `ADD COLUMN x<i>`; once resolved, both `ADD COLUMN y<i>` at once. The
    /// target table's lock id is the same every round; operation ids restarted per lock, and a
    /// worker took the new lock's operation for the one it had completed: its subtask waited
    /// forever (Running, no error, no rows). Five rounds; every row arrives and no lock is left.
    static var repeatedLocksOnOneTarget: Scenario {
        var steps: [Step] = []
        var row = 0
        var columns = "id"
        for round in 0..<5 {
            for column in ["x\(round)", "y\(round)"] {
                steps += [.sql(0, "alter table shardddl1.tb1 add column \(column) int"),
                          .sql(1, "alter table shardddl1.tb1 add column \(column) int")]
                columns += ",\(column)"
                for source in 0..<2 {
                    row += 1
                    steps.append(.sql(source, "insert into shardddl1.tb1 (id, \(column)) values (\(row), \(row))"))
                }
                steps += [.consistent(columns: columns), .noLocks]
            }
        }
        return Scenario(id: "issue9/REPEATED_LOCKS", mode: "optimistic", tables: [t111, t211], steps: steps)
    }

    static let parity: [Scenario] = [
        repeatedLocksOnOneTarget,
        // Bug 4: a worker restarted while its table waits for a redirect re-sends the Info; the lock
        // lists the same operation afterwards (it came back under a new id). Then the lock finishes.
        Scenario(id: "issue9/RESENT_INFO_SAME_OPERATION", mode: "optimistic", tables: [t111, t211], definition: abText, steps: [
            .sql(0, "alter table shardddl1.tb1 change a c int"), .sql(0, "insert into shardddl1.tb1 values (1,'a')"),
            .lockShows(["skip and wait for redirect", "mysql-replica-01"]),
            .workerRestartKeepsLocks(0),
            .sql(1, "alter table shardddl1.tb1 change a c int"), .sql(1, "insert into shardddl1.tb1 values (2,'b')"),
            .consistent(), .noLocks,
        ]),
        // Bug 3: a dropped shard leaves the lock. s1.tb2 is dropped after the three tables added x;
        // the two left drop x: x goes downstream, and no lock stays.
        Scenario(id: "issue9/DROP_TABLE_LEAVES_LOCK", mode: "optimistic", tables: [t111, t112, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add column x int"), .sql(0, "alter table shardddl1.tb2 add column x int"),
            .sql(1, "alter table shardddl1.tb1 add column x int"),
            .sql(0, "insert into shardddl1.tb1 values (1,1)"), .sql(0, "insert into shardddl1.tb2 values (2,2)"),
            .sql(1, "insert into shardddl1.tb1 values (3,3)"),
            .consistent(), .noLocks,
            .sql(0, "drop table shardddl1.tb2"),
            .sql(0, "alter table shardddl1.tb1 drop column x"), .sql(1, "alter table shardddl1.tb1 drop column x"),
            .sql(0, "insert into shardddl1.tb1 values (4)"), .sql(1, "insert into shardddl1.tb1 values (5)"),
            .downstreamColumns("id"), .noLocks, .downstreamCount(5),
        ]),
        // Bug 3, DM's create/drop sequence across two databases: a new shard is created, an old one
        // dropped, columns added and dropped; the downstream ends with the columns every remaining
        // table has.
        Scenario(id: "issue9/CREATE_DROP_TABLE", mode: "optimistic", tables: [t111, t122, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add column a1 int"), .sql(0, "alter table shardddl2.tb1 add column a1 int"),
            .sql(1, "alter table shardddl1.tb1 add column a1 int"),
            .sql(0, "insert into shardddl1.tb1 values (1,1)"), .sql(0, "insert into shardddl2.tb1 values (2,2)"),
            .sql(1, "insert into shardddl1.tb1 values (3,3)"),
            .downstreamCount(3), .noLocks,
            .sql(0, "create table shardddl1.tb2 (id int primary key, a1 int)"), .sql(0, "insert into shardddl1.tb2 values (4,4)"),
            .sql(0, "drop table shardddl2.tb1"),
            .sql(0, "alter table shardddl1.tb1 add column a2 int"), .sql(0, "alter table shardddl1.tb2 add column a2 int"),
            .sql(1, "alter table shardddl1.tb1 add column a2 int"),
            .sql(0, "insert into shardddl1.tb1 values (5,5,5)"), .sql(1, "insert into shardddl1.tb1 values (6,6,6)"),
            .downstreamColumns("id,a1,a2"), .noLocks,
            .sql(0, "alter table shardddl1.tb1 drop column a1"), .sql(0, "alter table shardddl1.tb2 drop column a1"),
            .sql(1, "alter table shardddl1.tb1 drop column a1"),
            .sql(0, "insert into shardddl1.tb2 values (7,7)"), .sql(1, "insert into shardddl1.tb1 values (8,8)"),
            .downstreamColumns("id,a2"), .noLocks, .downstreamCount(8),
            // Row 2 stays downstream: DROP TABLE of a shard is not replicated to the merged table.
            .consistentOver([t111, (0, "shardddl1.tb2"), t211], columns: "id,a2", rows: "id <> 2"),
        ]),
        // Bug 5, DM_DropAddColumn: b is dropped on one source only (still downstream), then re-added
        // there: DM pauses the subtask ("because schema conflict detected", "add column b that
        // wasn't fully dropped in downstream"). `binlog skip` passes the DDL; the tracked schema is
        // fixed with `binlog-schema update` under `pause-task`; rows flow again.
        Scenario(id: "issue9/DM_DropAddColumn", mode: "optimistic", tables: [t111, t211], definition: "(a INT PRIMARY KEY, b INT, c INT)", steps: [
            .sql(0, "insert into shardddl1.tb1 values (1,1,1)"), .sql(1, "insert into shardddl1.tb1 values (2,2,2)"),
            .consistent(),
            .sql(0, "alter table shardddl1.tb1 drop column c"), .sql(0, "insert into shardddl1.tb1 values (3,3)"),
            .sql(1, "alter table shardddl1.tb1 drop column c"), .sql(1, "insert into shardddl1.tb1 values (4,4)"),
            .downstreamColumns("a,b"), .noLocks,
            .sql(0, "alter table shardddl1.tb1 drop column b"), .sql(0, "insert into shardddl1.tb1 values (5)"),
            .sql(0, "alter table shardddl1.tb1 add column c int"), .sql(0, "insert into shardddl1.tb1 values (6,6)"),
            .downstreamCount(6),
            .sql(0, "alter table shardddl1.tb1 add column b int after a"),
            .paused(["because schema conflict detected", "add column b that wasn't fully dropped in downstream"]),
            .ctl(["binlog", "skip", "test"]),
            .syncing,
            .ctl(["pause-task", "test"]),
            .writeFile("drop-add-schema.sql", "CREATE TABLE `tb1` (`a` int(11) NOT NULL, `b` int(11) DEFAULT NULL, `c` int(11) DEFAULT NULL, PRIMARY KEY (`a`))"),
            .ctl(["binlog-schema", "update", "test", "shardddl1", "tb1", "$ROOT/drop-add-schema.sql", "-s", "mysql-replica-01"]),
            .ctl(["resume-task", "test"]),
            .sql(0, "update shardddl1.tb1 set b=a"),
            .sql(1, "alter table shardddl1.tb1 add column c int"), .sql(1, "insert into shardddl1.tb1 values (7,7,7)"),
            .consistent(),
        ]),
        // Bug 5, DM_109/110 shape: the same column added with different lengths pauses the second
        // source's subtask instead of blocking it silently; an operator skips that DDL and
        // re-adds the column with the joined length.
        Scenario(id: "issue9/DIFFERENT_FIELD_LENGTHS", mode: "optimistic", tables: [t111, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add column c varchar(4)"), .sql(0, "insert into shardddl1.tb1 values (1,'a')"),
            .sql(1, "alter table shardddl1.tb1 add column c varchar(5)"),
            .paused(["because schema conflict detected", "add columns with different field lengths"]),
            .ctl(["binlog", "replace", "test", "alter table shardddl1.tb1 add column c varchar(4)"]),
            .sql(1, "insert into shardddl1.tb1 values (2,'b')"),
            .consistent(),
        ]),
    ]

    @Test func dmParityScenarios() async throws {
        try await Self.run(Self.parity, label: "scen-parity")
    }
}
