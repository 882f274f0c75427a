import Domain
import Optimism
import Pessimism
import Projections
import Scheduling
import Schema

/// A realistic mixed workload built through the real engine: workers keeping alive, checkpoints,
/// pessimistic locks over many sources and optimistic locks over many tables.
struct Workload {
    var state = ClusterState()
    var now: Int64 = 1_700_000_000_000
    let sources: [SourceID]
    let workers: [WorkerName]
    let pessimisticTask = TaskName("bench-p")
    let optimisticTask = TaskName("bench-o")
    let downstream = TableName(schema: "shardddl", table: "tb")
    var columns: [ColumnInfo] = [ColumnInfo(name: "id", type: ColumnType(.int), nullable: false)]

    init(sourceCount: Int) throws {
        self.sources = (1...sourceCount).map { SourceID("mysql-replica-\($0)") }
        self.workers = (1...sourceCount).map { WorkerName("worker\($0)") }
    }

    static func sourceYAML(_ id: SourceID) -> String {
        "source-id: \"\(id)\"\nfrom:\n  host: \"127.0.0.1\"\n  port: 3306\n  user: \"root\"\n  password: \"x\"\n"
    }

    func taskYAML(_ name: TaskName, mode: String) -> String {
        var yaml = "name: \"\(name)\"\ntask-mode: incremental\nshard-mode: \(mode)\ntarget-database:\n  host: \"127.0.0.1\"\n  port: 4000\n  user: \"root\"\nmysql-instances:\n"
        for s in self.sources { yaml += "  - source-id: \"\(s)\"\n" }
        return yaml
    }

    /// Runs `command` and returns its events (a refused command returns none).
    @discardableResult
    mutating func run(_ command: ClusterCommand) -> [Event] {
        self.now += 1
        return (try? ClusterEngine.run(command, on: &self.state, timestamp: self.now)) ?? []
    }

    mutating func setUp() throws -> [Event] {
        var events: [Event] = []
        for (w, s) in zip(self.workers, self.sources) {
            events += self.run(.scheduling(.registerWorker(w, address: "127.0.0.1:1")))
            events += self.run(.scheduling(.keepalive(w, at: self.now)))
            events += self.run(.scheduling(.addSource(try SourceConfig.load(yaml: Self.sourceYAML(s)).config)))
        }
        events += self.run(.scheduling(.startTask(try TaskConfig.load(yaml: self.taskYAML(self.pessimisticTask, mode: "pessimistic")).config)))
        events += self.run(.scheduling(.startTask(try TaskConfig.load(yaml: self.taskYAML(self.optimisticTask, mode: "optimistic")).config)))
        events += self.registerOptimisticTables()
        return events
    }

    var tableInfo: TableInfo {
        TableInfo(schema: "shardddl1", table: "tb", columns: self.columns,
                  indexes: [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])])
    }

    func upstreamTables(of source: SourceID) -> [TableName] { [TableName(schema: "shardddl1", table: "tb1")] }

    mutating func registerOptimisticTables() -> [Event] {
        var events: [Event] = []
        for s in self.sources {
            var routed: [TableName: TableInfo] = [:]
            for t in self.upstreamTables(of: s) { routed[t] = self.tableInfo }
            events += self.run(.optimism(.sourceTables(task: self.optimisticTask, source: s, tables: [self.downstream: routed])))
        }
        return events
    }

    /// One pessimistic lock over every source, from first Info to resolution.
    mutating func pessimisticCycle(_ k: Int) -> [Event] {
        var events: [Event] = []
        let ddls = ["ALTER TABLE `shardddl`.`tb` ADD COLUMN `p\(k)` INT"]
        for s in self.sources {
            events += self.run(.reportPessimismInfo(PessimismInfo(task: self.pessimisticTask, source: s, downstream: self.downstream, ddls: ddls)))
        }
        let lock = LockID(task: self.pessimisticTask, downstream: self.downstream)
        for s in self.sources {
            events += self.run(.pessimism(.operationDone(lock: lock, source: s)))
        }
        return events
    }

    /// One optimistic round: every table adds (even k) or drops (odd k) the same column.
    mutating func optimisticCycle(_ k: Int) -> [Event] {
        var events: [Event] = []
        let before = self.tableInfo
        let name = "o\(k / 2)"
        var after = before
        let ddl: String
        if k % 2 == 0 {
            after.columns.append(ColumnInfo(name: name, type: ColumnType(.int), nullable: true))
            ddl = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `\(name)` INT"
        } else {
            after.columns.removeAll { $0.name == name }
            ddl = "ALTER TABLE `shardddl`.`tb` DROP COLUMN `\(name)`"
        }
        let lock = LockID(task: self.optimisticTask, downstream: self.downstream)
        for s in self.sources {
            for t in self.upstreamTables(of: s) {
                let info = OptimismInfo(task: self.optimisticTask, source: s, upstream: t, downstream: self.downstream,
                                        ddls: [ddl], tableInfoBefore: before, tableInfosAfter: [after])
                events += self.run(.optimism(.reportInfo(info, strict: false)))
            }
        }
        for s in self.sources {
            for t in self.upstreamTables(of: s) {
                let table = SourceTable(source: s, table: t)
                if let entry = self.state.optimism.locks[lock]?.tables[table], !entry.done, let op = entry.operation {
                    events += self.run(.optimism(.operationDone(lock: lock, table: table, operation: op.id)))
                }
            }
        }
        self.columns = after.columns
        return events
    }

    /// Keepalives of every worker and a checkpoint from every source.
    mutating func heartbeatCycle(_ k: Int) -> [Event] {
        var events: [Event] = []
        for w in self.workers { events += self.run(.scheduling(.keepalive(w, at: self.now))) }
        for (i, s) in self.sources.enumerated() {
            events += self.run(.record(.checkpoint(.reported(
                task: self.pessimisticTask, source: s,
                position: BinlogPosition(file: "mysql-bin.000001", pos: UInt32(4 + k * 100 + i)), gtid: nil, at: self.now))))
        }
        return events
    }
}
