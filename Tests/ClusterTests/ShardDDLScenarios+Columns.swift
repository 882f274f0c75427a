/// dm-reference §3.1–3.2: column definitions, defaults, types, charsets, renames, keys (S11–S33).
extension ClusterSuites.ShardDDLScenarioTests {
    /// `init_table 111 211 212`.
    static let three = [t111, t211, t212]
    static let t113: (Int, String) = (0, "shardddl1.tb3")
    static let t213: (Int, String) = (1, "shardddl1.tb3")
    static let t214: (Int, String) = (1, "shardddl1.tb4")

    /// `alter table <t> <clause>` on s1.t1, s2.t1 and s2.t2 in turn, each followed by `insert into <t> <row>`.
    static func inTurn(_ clauses: [String], then rows: [String], on tables: [(Int, String)] = three) -> [Step] {
        zip(tables, zip(clauses, rows)).flatMap { table, pair -> [Step] in
            [.sql(table.0, "alter table \(table.1) \(pair.0)"), .sql(table.0, "insert into \(table.1) \(pair.1)")]
        }
    }

    static func same(_ clause: String, then rows: [String]) -> [Step] { inTurn([clause, clause, clause], then: rows) }

    static func inserts(_ rows: [String], on tables: [(Int, String)] = three) -> [Step] {
        zip(tables, rows).map { table, row in .sql(table.0, "insert into \(table.1) \(row)") }
    }

    static let abInt = "(a INT PRIMARY KEY, b INT)"
    static let abText = "(a INT PRIMARY KEY, b VARCHAR(10))"
    static let utf8Table = "(a INT PRIMARY KEY, b VARCHAR(10)) DEFAULT CHARACTER SET utf8 COLLATE utf8_bin"

    /// Both modes, same expectation.
    static func columns(_ mode: String) -> [Scenario] {
        [
            // S22 DM_038: a non-deterministic default backfills existing rows with each server's own
            // now() (DM's known divergence); rows written after the DDL carry their value in the binlog.
            Scenario(id: "S22/DM_038", mode: mode, tables: three, steps:
                inserts(["values (1)", "values (2)", "values (3)"])
                + same("add column col1 datetime default now()", then: ["(id) values (4)", "(id) values (5)", "(id) values (6)"])
                + [.consistent(columns: "id"), .consistentOver(three, rows: "id >= 4")]),
            // S23 DM_039: the same charset on every shard.
            Scenario(id: "S23/DM_039", mode: mode, tables: three, steps:
                same("add column col1 varchar(10) character set utf8 collate utf8_bin", then: ["values (1,'a')", "values (2,'b')", "values (3,'c')"])
                + [.consistent()]),
            // S23 DM_071 / DM_073: the table default charset, and a conversion of every column.
            Scenario(id: "S23/DM_071", mode: mode, tables: three, definition: utf8Table, steps:
                same("default character set utf8mb4 collate utf8mb4_bin", then: ["values (1,'a')", "values (2,'b')", "values (3,'é')"])
                + [.consistent()]),
            Scenario(id: "S23/DM_073", mode: mode, tables: three, definition: utf8Table, steps:
                same("convert to character set utf8mb4 collate utf8mb4_bin", then: ["values (1,'a')", "values (2,'b')", "values (3,'😀')"])
                + [.consistent()]),
            // S24 DM_041: the same generated column everywhere.
            Scenario(id: "S24/DM_041", mode: mode, tables: three, steps:
                same("add column new_col1 int as (id+1)", then: ["(id) values (1)", "(id) values (2)", "(id) values (3)"])
                + [.consistent()]),
            // S25 DM_047 / DM_048: dropping a stored, then a virtual generated column.
            Scenario(id: "S25/DM_047", mode: mode, tables: three, definition: "(a INT PRIMARY KEY, b VARCHAR(10), c INT AS (a+1) STORED)", steps:
                same("drop column c", then: ["values (1,'a')", "values (2,'b')", "values (3,'c')"])
                + [.consistent(columns: "a,b"), .downstreamCount(3)]),
            Scenario(id: "S25/DM_048", mode: mode, tables: three, definition: "(a INT PRIMARY KEY, b VARCHAR(10), c INT AS (a+1) VIRTUAL)", steps:
                same("drop column c", then: ["values (1,'a')", "values (2,'b')", "values (3,'c')"])
                + [.consistent(columns: "a,b"), .downstreamCount(3)]),
            // S26 DM_049: every table renames its key column in turn. A row of s2.t2 lands between s2.t1's
            // rename and its own: in optimistic mode s2.t1 waits for the redirect while s2.t2 goes on.
            Scenario(id: "S26/DM_049", mode: mode, tables: three, definition: abText, steps: [
                .sql(0, "alter table shardddl1.tb1 change a c int"), .sql(0, "insert into shardddl1.tb1 values (1,'a')"),
                .sql(1, "alter table shardddl1.tb1 change a c int"), .sql(1, "insert into shardddl1.tb1 values (2,'b')"),
                .sql(1, "insert into shardddl1.tb2 values (3,'c')"),
                .sql(1, "alter table shardddl1.tb2 change a c int"), .sql(1, "insert into shardddl1.tb2 values (4,'d')"),
            ] + inserts(["values (5,'e')", "values (6,'f')", "values (7,'g')"]) + [.consistent()]),
            // S30 DM_064 / DM_066 / DM_068: the same MODIFY everywhere.
            Scenario(id: "S30/DM_064", mode: mode, tables: three, steps:
                same("modify id int(30)", then: ["values (1)", "values (2)", "values (3)"]) + [.consistent()]),
            Scenario(id: "S30/DM_066", mode: mode, tables: three, steps:
                same("modify id int default 1", then: ["values (1)", "values (2)", "values (3)"]) + [.consistent()]),
            Scenario(id: "S30/DM_068", mode: mode, tables: three, definition: "(a INT PRIMARY KEY, id DATETIME)", steps:
                same("modify id datetime default now()", then: ["values (1,'2024-01-01 10:00:00')", "values (2,'2024-01-02 10:00:00')", "values (3,'2024-01-03 10:00:00')"])
                + [.consistent()]),
            // S32 DM_078: a primary key added on the unique column of a wider table.
            Scenario(id: "S32/DM_078", mode: mode, tables: [t111], definition: "(id INT UNIQUE, a INT, b VARCHAR(10))", steps: [
                .sql(0, "insert into shardddl1.tb1 values (1,1,'a')"),
                .sql(0, "alter table shardddl1.tb1 add primary key(id)"), .sql(0, "insert into shardddl1.tb1 values (2,2,'b')"),
                .consistent(),
            ]),
            // S18 DM_034: a UNIQUE AUTO_INCREMENT column cannot merge (each shard numbers from 1).
            Scenario(id: "S18/DM_034", mode: mode, tables: three, steps: [
                .sql(0, "insert into shardddl1.tb1 values (1)"),
                .sql(0, "alter table shardddl1.tb1 add new_col1 int unique auto_increment"),
                .subtaskError("UNIQUE"),
            ]),
        ]
    }

    /// Pessimistic only: conflicting DDLs the master refuses (DM: `is different with`), and DM's
    /// pessimistic-only cases.
    static let pessimisticColumns: [Scenario] = [
        // S15 DM_031: the second source adds the column with another type.
        Scenario(id: "S15/DM_031", mode: "pessimistic", tables: [t111, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(1, "insert into shardddl1.tb1 values (2)"), .sql(1, "alter table shardddl1.tb1 add new_col1 varchar(10)"),
            .subtaskError("is different with"),
        ]),
        conflict("S21/DM_037", three, "add column new_col1 int default 0", "add column new_col1 int default -1"),
        conflict("S23/DM_040", three, "add column col1 varchar(10) character set utf8 collate utf8_bin",
            "add column col1 varchar(10) character set utf8mb4 collate utf8mb4_bin"),
        conflict("S24/DM_043", three, "add column new_col1 int as (id+1)", "add column new_col1 int as (id+2)"),
        conflict("S27/DM_050", three, "change a c int", "change a d int", definition: abText),
        conflict("S27/DM_051", three, "change a c int", "change b c int", definition: abInt),
        conflict("S28/DM_056", three, "change a c int after b", "change a c int first", definition: abInt),
        conflict("S29/DM_058", three, "change id new_col int default 1", "change id new_col int default 2"),
        conflict("S30/DM_063", three, "modify id mediumint", "modify id bigint", definition: "(id SMALLINT PRIMARY KEY)"),
        conflict("S30/DM_067", three, "modify id int default 1", "modify id int default 2"),
        conflict("S31/DM_065", three, "modify a bigint after b", "modify a bigint first", definition: abInt),
        // S07 DM_012: two columns added in opposite orders on the two sources: the second source's first
        // DDL differs from the lock's.
        Scenario(id: "S07/DM_012", mode: "pessimistic", tables: [t111, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(0, "alter table shardddl1.tb1 add new_col2 int"), .sql(0, "insert into shardddl1.tb1 values (2,2,2)"),
            .sql(1, "alter table shardddl1.tb1 add new_col2 int"), .sql(1, "alter table shardddl1.tb1 add new_col1 int"),
            .subtaskError("is different with"),
        ]),
        // S08 DM_015 / DM_017: the shard's database dropped (not replicated to the merge) and created again.
        Scenario(id: "S08/DM_015", mode: "pessimistic", tables: [t111], steps: [
            .sql(0, "insert into shardddl1.tb1 values (1)"), .downstreamCount(1),
            .sql(0, "drop database shardddl1"),
            .sql(0, "create database if not exists shardddl1"),
            .sql(0, "create table if not exists shardddl1.tb1 (id int primary key)"), .sql(0, "insert into shardddl1.tb1 values (5)"),
            .downstreamCount(2),
        ]),
        // S29 DM_059: the same rename with a now() default everywhere.
        Scenario(id: "S29/DM_059", mode: "pessimistic", tables: three, definition: "(id INT PRIMARY KEY, a DATETIME)", steps:
            same("change a new_col datetime default now()", then: ["values (1,'2024-01-01 10:00:00')", "values (2,'2024-01-02 10:00:00')", "values (3,'2024-01-03 10:00:00')"])
            + [.consistent()]),
        // S13 DM_026: a new shard table created mid-task joins the merge.
        Scenario(id: "S13/DM_026", mode: "pessimistic", tables: [t111, t112], steps: [
            .sql(0, "insert into shardddl1.tb1 values (1)"), .sql(0, "insert into shardddl1.tb2 values (2)"),
            .sql(0, "create table shardddl1.tb3 (id int primary key)"),
            .sql(0, "insert into shardddl1.tb3 values (3)"), .sql(0, "insert into shardddl1.tb1 values (4)"),
            .consistentOver([t111, t112, t113]),
        ]),
        // S13 DM_027: the new shard has a column the merged table lacks: its rows fail downstream.
        Scenario(id: "S13/DM_027", mode: "pessimistic", tables: [t111, t112], steps: [
            .sql(0, "insert into shardddl1.tb1 values (1)"),
            .sql(0, "create table shardddl1.tb3 (id int, val int)"), .sql(0, "insert into shardddl1.tb3 values (5,6)"),
            .subtaskError("Unknown column 'val'"),
        ]),
        // S11 DM_021: a shard renamed to another name of the same merge keeps merging (DM fails here,
        // renaming the merged table onto itself: `Table 'shardddl.tb' already exists`).
        Scenario(id: "S11/DM_021", mode: "pessimistic", tables: [t111], steps: [
            .sql(0, "insert into shardddl1.tb1 values (1)"),
            .sql(0, "rename table shardddl1.tb1 to shardddl1.tb2"), .sql(0, "insert into shardddl1.tb2 values (2)"),
            .consistentOver([t112]),
        ]),
        // S11 DM_023: a rename of several tables at once is refused.
        Scenario(id: "S11/DM_023", mode: "pessimistic", tables: [t111, t112], steps: [
            .sql(0, "rename table shardddl1.tb1 to shardddl1.tb3, shardddl1.tb2 to shardddl1.tb4"),
            .subtaskError("not supported"),
        ]),
        // S12 DM_RENAME_TABLE: shards renamed between two locks; the next lock waits for the new names.
        Scenario(id: "S12/RENAME_TABLE", mode: "pessimistic", tables: three, steps:
            inserts(["values (1)", "values (2)", "values (3)"])
            + same("add column a int", then: ["values (4,4)", "values (5,5)", "values (6,6)"])
            + [
                .sql(0, "rename table shardddl1.tb1 to shardddl1.tb3"),
                .sql(1, "rename table shardddl1.tb1 to shardddl1.tb3"),
                .sql(1, "rename table shardddl1.tb2 to shardddl1.tb4"),
            ]
            + inserts(["values (7,7)", "values (8,8)", "values (9,9)"], on: [t113, t213, t214])
            + inTurn(Array(repeating: "add column b int", count: 3), then: ["values (10,10,10)", "values (11,11,11)", "values (12,12,12)"], on: [t113, t213, t214])
            + [.consistentOver([t113, t213, t214])]),
        // S33 DM_080: unique keys on the merged table collapse rows of different shards; in safe mode
        // (REPLACE) that is what DM shows, `count(1) = 3`.
        Scenario(id: "S33/DM_080", mode: "pessimistic", tables: three, definition: "(id INT PRIMARY KEY, a INT, b VARCHAR(10))", safeMode: true, steps:
            uniqueKeys + duplicatesAcrossShards + [.downstreamCount(3)]),
        // Without safe mode Braid does not silently collapse rows: the duplicate stops the subtask.
        Scenario(id: "S33/DM_080 no safe mode", mode: "pessimistic", tables: three, definition: "(id INT PRIMARY KEY, a INT, b VARCHAR(10))", steps:
            uniqueKeys + duplicatesAcrossShards + [.subtaskError("Duplicate entry")]),
        // S33 DM_081: indexes added then dropped.
        Scenario(id: "S33/DM_081", mode: "pessimistic", tables: three, definition: "(id INT PRIMARY KEY, a INT, b VARCHAR(10))", steps:
            uniqueKeys + same("drop index idx_a", then: ["values (1,1,'a1')", "values (2,2,'a2')", "values (3,3,'a3')"])
            + same("drop index idx_b, drop index idx_ab", then: ["values (4,4,'a4')", "values (5,5,'a5')", "values (6,6,'a6')"])
            + [.consistent()]),
        // S33 DM_082: an index renamed everywhere.
        Scenario(id: "S33/DM_082", mode: "pessimistic", tables: three, definition: "(a INT UNIQUE KEY, b VARCHAR(10))", steps:
            same("rename index a to c", then: ["values (1,'a')", "values (2,'b')", "values (3,'c')"]) + [.consistent()]),
    ]

    static let uniqueKeys: [Step] = ["add unique key idx_a(a)", "add unique key idx_b(b)", "add unique key idx_ab(a,b)"].flatMap { clause in
        three.map { Step.sql($0.0, "alter table \($0.1) \(clause)") }
    }

    /// Unique within each shard, duplicated across them: `a` takes 3 values over 8 rows.
    static let duplicatesAcrossShards: [Step] = inserts(["values (1,1,'aaa')", "values (2,1,'aaa')", "values (3,2,'bbb')"])
        + inserts(["values (4,2,'bbb')", "values (5,2,'bbb')", "values (6,3,'ccc')"], on: [t111, t211, t212])
        + inserts(["values (7,3,'ccc')", "values (8,3,'ccc')"], on: [t211, t111])

    /// s1.t1 runs `first`, then s2.t1 and s2.t2 run `other`: the master refuses the different DDL.
    static func conflict(_ id: String, _ tables: [(Int, String)], _ first: String, _ other: String, definition: String = "(id INT PRIMARY KEY)") -> Scenario {
        Scenario(id: id, mode: "pessimistic", tables: tables, definition: definition, steps: [
            .sql(tables[0].0, "alter table \(tables[0].1) \(first)"),
            .sql(tables[1].0, "alter table \(tables[1].1) \(other)"),
            .sql(tables[2].0, "alter table \(tables[2].1) \(other)"),
            .subtaskError("is different with"),
        ])
    }

    /// Optimistic only: DM shows a blocked DDL for a conflict, joins what it can, and skips and
    /// redirects renames.
    static let optimisticColumns: [Scenario] = [
        Scenario(id: "S15/DM_031", mode: "optimistic", tables: [t111, t211], steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(1, "insert into shardddl1.tb1 values (2)"), .sql(1, "alter table shardddl1.tb1 add new_col1 varchar(10)"),
            .lockShows(["detected", "new_col1", "mysql-replica-02"]),
        ]),
        blocked("S21/DM_037", "add column new_col1 int default 0", "add column new_col1 int default -1", shows: "new_col1"),
        blocked("S24/DM_043", "add column new_col1 int as (id+1)", "add column new_col1 int as (id+2)", shows: "new_col1"),
        blocked("S27/DM_050", "change a c int", "change a d int", definition: abText, shows: "CHANGE"),
        blocked("S27/DM_051", "change a c int", "change b c int", definition: abInt, shows: "CHANGE"),
        blocked("S29/DM_058", "change id new_col int default 1", "change id new_col int default 2", shows: "new_col"),
        blocked("S30/DM_067", "modify id int default 1", "modify id int default 2", shows: "MODIFY"),
        // S21 DM_130: two shards blocked on a different default; the operator skips each one's DDL.
        Scenario(id: "S21/DM_130", mode: "optimistic", tables: three, definition: "(a INT PRIMARY KEY, b INT NOT NULL)", steps: [
            .sql(0, "alter table shardddl1.tb1 modify b int default 0"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(1, "alter table shardddl1.tb1 modify b int default -1"),
            .lockShows(["detected", "tb1"]),
            .ctl(["shard-ddl-lock", "unlock", "test-`shardddl`.`tb`", "-s", "mysql-replica-02", "-d", "shardddl1", "-t", "tb1", "-a", "skip"]),
            .sql(1, "insert into shardddl1.tb1 values (2,2)"),
            .sql(1, "alter table shardddl1.tb2 modify b int default -1"),
            .lockShows(["detected", "tb2"]),
            .ctl(["shard-ddl-lock", "unlock", "test-`shardddl`.`tb`", "-s", "mysql-replica-02", "-d", "shardddl1", "-t", "tb2", "-a", "skip"]),
            .sql(1, "insert into shardddl1.tb2 values (3,3)"),
            .consistent(),
        ]),
        // S23 DM_040: utf8 and utf8mb4 join (utf8 < utf8mb4).
        Scenario(id: "S23/DM_040", mode: "optimistic", tables: three, steps:
            inTurn(["add column col1 varchar(10) character set utf8 collate utf8_bin",
                    "add column col1 varchar(10) character set utf8mb4 collate utf8mb4_bin",
                    "add column col1 varchar(10) character set utf8mb4 collate utf8mb4_bin"],
                   then: ["values (1,'a')", "values (2,'b')", "values (3,'😀')"])
            + [.consistent()]),
        // S28 DM_056: renamed to the same name at different places: still Running; once s1.t1 moves its
        // column first too, every row arrives.
        Scenario(id: "S28/DM_056", mode: "optimistic", tables: three, definition: abInt, steps:
            inTurn(["change a c int after b", "change a c int first", "change a c int first"], then: ["(c,b) values (1,1)", "(c,b) values (2,2)", "(c,b) values (3,3)"])
            + [.sql(0, "alter table shardddl1.tb1 change c c int first")]
            + inserts(["values (4,4)", "values (5,5)", "values (6,6)"])
            + [.consistent(columns: "c,b")]),
        // S30 DM_063 / S31 DM_065: type and position differences DM does not flag: all nine rows arrive.
        Scenario(id: "S30/DM_063", mode: "optimistic", tables: three, definition: "(id SMALLINT PRIMARY KEY)", steps:
            inTurn(["modify id mediumint", "modify id bigint", "modify id bigint"], then: ["values (1)", "values (2)", "values (3)"])
            + inserts(["values (4)", "values (5)", "values (6)"]) + inserts(["values (7)", "values (8)", "values (9)"])
            + [.downstreamCount(9)]),
        Scenario(id: "S31/DM_065", mode: "optimistic", tables: three, definition: abInt, steps:
            inTurn(["modify a bigint after b", "modify a bigint first", "modify a bigint first"], then: ["(a,b) values (1,1)", "(a,b) values (2,2)", "(a,b) values (3,3)"])
            + inserts(["(a,b) values (4,4)", "(a,b) values (5,5)", "(a,b) values (6,6)"]) + inserts(["(a,b) values (7,7)", "(a,b) values (8,8)", "(a,b) values (9,9)"])
            + [.downstreamCount(9)]),
        // S16 DM_032: one shard adds, drops and adds another column before the others catch up.
        Scenario(id: "S16/DM_032", mode: "optimistic", tables: three, steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int"), .sql(0, "insert into shardddl1.tb1 values (1,1)"),
            .sql(0, "alter table shardddl1.tb1 drop column new_col1"), .sql(0, "insert into shardddl1.tb1 values (2)"),
            .sql(0, "alter table shardddl1.tb1 add new_col2 float"), .sql(0, "insert into shardddl1.tb1 values (3,3.0)"),
            .sql(1, "alter table shardddl1.tb1 add new_col2 float"), .sql(1, "insert into shardddl1.tb1 values (4,4.0)"),
            .sql(1, "alter table shardddl1.tb2 add new_col2 float"), .sql(1, "insert into shardddl1.tb2 values (5,5.0)"),
        ] + inserts(["values (6,6.0)", "values (7,7.0)", "values (8,8.0)"]) + [.sql(0, "insert into shardddl1.tb1 values (9,9.0)"), .consistent()]),
        // S19 DM_036: the same column added first, after a, after b.
        Scenario(id: "S19/DM_036", mode: "optimistic", tables: three, definition: abText, steps:
            inTurn(["add column new_col1 int first", "add column new_col1 int after a", "add column new_col1 int after b"],
                   then: ["(a,b,new_col1) values (1,'a',1)", "(a,b,new_col1) values (2,'b',2)", "(a,b,new_col1) values (3,'c',3)"])
            + inserts(["(a,b,new_col1) values (4,'d',4)", "(a,b,new_col1) values (5,'e',5)", "(a,b,new_col1) values (6,'f',6)"])
            + inserts(["(a,b,new_col1) values (7,'g',7)", "(a,b,new_col1) values (8,'h',8)", "(a,b,new_col1) values (9,'i',9)"])
            + [.downstreamCount(9), .consistent(columns: "a,b,new_col1")]),
        // S19 DM_104: NOT NULL columns with defaults added in opposite orders.
        Scenario(id: "S19/DM_104", mode: "optimistic", tables: three, steps: [
            .sql(0, "alter table shardddl1.tb1 add new_col1 int not null default 10"), .sql(0, "insert into shardddl1.tb1 (id) values (1)"),
            .sql(0, "alter table shardddl1.tb1 add new_col2 int not null default 20"), .sql(0, "insert into shardddl1.tb1 (id) values (2)"),
            .sql(1, "alter table shardddl1.tb1 add new_col2 int not null default 20"), .sql(1, "insert into shardddl1.tb1 (id) values (3)"),
            .sql(1, "alter table shardddl1.tb1 add new_col1 int not null default 10"), .sql(1, "insert into shardddl1.tb1 (id) values (4)"),
            .sql(1, "alter table shardddl1.tb2 add new_col2 int not null default 20"), .sql(1, "insert into shardddl1.tb2 (id) values (5)"),
            .sql(1, "alter table shardddl1.tb2 add new_col1 int not null default 10"), .sql(1, "insert into shardddl1.tb2 (id) values (6)"),
        ] + inserts(["(id) values (7)", "(id) values (8)", "(id) values (9)"]) + [.downstreamCount(9), .consistent(columns: "id,new_col1,new_col2")]),
        // S26 RENAME_COLUMN_OPTIMISTIC: the renames (skipped, redirected, replayed), then a column added the
        // same way; no lock is left.
        Scenario(id: "S26/RENAME_COLUMN_OPTIMISTIC", mode: "optimistic", tables: three, definition: abText, steps:
            same("change a c int", then: ["values (1,'a')", "values (2,'b')", "values (3,'c')"])
            + same("add column d int", then: ["values (4,'d',4)", "values (5,'e',5)", "values (6,'f',6)"])
            + [.consistent(), .noLocks]),
        // S12 DM_RENAME_TABLE: DM refuses RENAME TABLE in optimistic mode.
        Scenario(id: "S12/RENAME_TABLE", mode: "optimistic", tables: three, steps: [
            .sql(0, "insert into shardddl1.tb1 values (1)"),
            .sql(0, "rename table shardddl1.tb1 to shardddl1.tb3"),
            .subtaskError("not supported in optimistic mode"),
        ]),
    ]

    /// s1.t1 runs `first` and inserts, s2.t1 runs `other`: the lock shows s2's DDL blocked (`detected`).
    static func blocked(_ id: String, _ first: String, _ other: String, definition: String = "(id INT PRIMARY KEY)", shows: String) -> Scenario {
        Scenario(id: id, mode: "optimistic", tables: three, definition: definition, steps: [
            .sql(0, "alter table shardddl1.tb1 \(first)"),
            .sql(1, "alter table shardddl1.tb1 \(other)"),
            .lockShows(["detected", shows, "mysql-replica-02"]),
        ])
    }
}
