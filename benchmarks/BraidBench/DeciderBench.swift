import Domain
import Optimism
import Pessimism
import Projections
import Scheduling
import Schema

/// decide + evolve latency per command for one lock spanning 256 shard tables, in both modes.
enum DeciderBench {
    static func run() throws {
        print("== Deciders: decide + evolve per command, one lock over 256 shard tables ==")
        try self.pessimistic(sources: 256, rounds: 40)
        try self.optimistic(tables: 256, rounds: 40)
    }

    static func pessimistic(sources count: Int, rounds: Int) throws {
        let task = TaskName("bench")
        let table = TableName(schema: "shardddl", table: "tb")
        let sources = Set((1...count).map { SourceID("source-\($0)") })
        let ordered = sources.sorted()
        let lock = LockID(task: task, downstream: table)
        var state = Pessimism.State()
        var samples: [UInt64] = []
        let clock = ContinuousClock()
        func step(_ command: Pessimism.Command) throws {
            let t0 = clock.now
            let events = try Pessimism.decide(command, state)
            for e in events { Pessimism.evolve(&state, e) }
            samples.append(nanos(clock.now - t0))
        }
        for r in 0..<rounds {
            let ddls = ["ALTER TABLE `shardddl`.`tb` ADD COLUMN `c\(r)` INT"]
            for s in ordered { try step(.reportInfo(PessimismInfo(task: task, source: s, downstream: table, ddls: ddls), taskSources: sources)) }
            for s in ordered { try step(.operationDone(lock: lock, source: s)) }
            precondition(state.lock(lock) == nil, "lock did not resolve")
        }
        print("pessimistic, \(count) sources, \(samples.count) commands: \(Percentiles(samples).summary)")
    }

    static func optimistic(tables count: Int, rounds: Int) throws {
        let task = TaskName("bench")
        let downstream = TableName(schema: "shardddl", table: "tb")
        let lock = LockID(task: task, downstream: downstream)
        let sources = (1...16).map { SourceID("source-\($0)") }
        let perSource = count / sources.count
        var columns = [ColumnInfo(name: "id", type: ColumnType(.int), nullable: false)]
        func info() -> TableInfo {
            TableInfo(schema: "s", table: "t", columns: columns, indexes: [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])])
        }
        var state = Optimism.State()
        var samples: [UInt64] = []
        let clock = ContinuousClock()
        func step(_ command: Optimism.Command) throws {
            let t0 = clock.now
            let events = try Optimism.decide(command, state)
            for e in events { Optimism.evolve(&state, e) }
            samples.append(nanos(clock.now - t0))
        }
        var tables: [SourceTable] = []
        for s in sources {
            var routed: [TableName: TableInfo] = [:]
            for i in 0..<perSource {
                let t = TableName(schema: "shardddl\(i % 4)", table: "tb\(i)")
                routed[t] = info()
                tables.append(SourceTable(source: s, table: t))
            }
            try step(.sourceTables(task: task, source: s, tables: [downstream: routed]))
        }
        samples.removeAll()
        for r in 0..<rounds {
            let before = info()
            var after = before
            let ddl: String
            if r % 2 == 0 {
                after.columns.append(ColumnInfo(name: "c\(r / 2)", type: ColumnType(.int), nullable: true))
                ddl = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `c\(r / 2)` INT"
            } else {
                after.columns.removeAll { $0.name == "c\(r / 2)" }
                ddl = "ALTER TABLE `shardddl`.`tb` DROP COLUMN `c\(r / 2)`"
            }
            for t in tables {
                try step(.reportInfo(OptimismInfo(task: task, source: t.source, upstream: t.table, downstream: downstream, ddls: [ddl],
                                                  tableInfoBefore: before, tableInfosAfter: [after]), strict: false))
            }
            for t in tables {
                if let entry = state.locks[lock]?.tables[t], !entry.done, let op = entry.operation {
                    try step(.operationDone(lock: lock, table: t, operation: op.id))
                }
            }
            columns = after.columns
        }
        print("optimistic, \(tables.count) tables, \(samples.count) commands: \(Percentiles(samples).summary)")
    }
}
