import Domain
import Optimism
import Schema

/// Mostly-valid command streams for the optimistic coordinator: a few tasks whose sources report
/// their tables, add and drop columns, finish their operations, and now and then conflict,
/// re-send an Info, get unlocked or force-removed, or leave. Used by the optimism property test
/// and by the cluster-wide one.
public struct OptimismCommandGenerator {
    let tasks: [TaskName] = ["task-a", "task-b"]
    let sources: [SourceID] = ["mysql-replica-01", "mysql-replica-02", "mysql-replica-03"]
    let downstreams = [TableName(schema: "shardddl", table: "tb"), TableName(schema: "shardddl", table: "tc")]
    let upstreamTables = ["tb1", "tb2", "tc1"]
    let columnNames = ["c1", "c2", "c3", "c4", "c5"]
    private var lastInfo: OptimismInfo?

    public init() {}

    public mutating func next(state: Optimism.State, rng: inout SeededRandom) -> Optimism.Command {
        let task = self.tasks[Int.random(in: 0..<self.tasks.count, using: &rng)]
        let source = self.sources[Int.random(in: 0..<self.sources.count, using: &rng)]
        if state.sourceTables[task]?[source] == nil, Int.random(in: 0..<4, using: &rng) != 0 {
            return .sourceTables(task: task, source: source, tables: self.routedTables(rng: &rng, all: true))
        }
        let roll = Int.random(in: 0..<100, using: &rng)
        switch roll {
        case 0..<38:
            if let done = self.done(state: state, rng: &rng) { return done }
        case 38..<42:
            if let stuck = self.stuckTable(state: state, rng: &rng) {
                let action: UnlockAction = Bool.random(using: &rng) ? .skip : .exec
                return .unlock(lock: stuck.0, table: stuck.1, action: action)
            }
        case 42..<44:
            if let id = state.locks.keys.sorted().randomElement(using: &rng) { return .forceRemove(lock: id) }
        case 44..<47:
            if let info = self.lastInfo { return .reportInfo(info, strict: false) }
        case 47..<52:
            return .sourceTables(task: task, source: source, tables: self.routedTables(rng: &rng, all: false))
        case 52..<54:
            return .sourceLeftTask(task: task, source: source)
        case 54:
            return .taskRemoved(task: task)
        default:
            break
        }
        let info = self.ddl(task: task, source: source, state: state, rng: &rng)
        self.lastInfo = info
        return .reportInfo(info, strict: Int.random(in: 0..<10, using: &rng) == 0)
    }

    private func base(_ upstream: TableName) -> TableInfo {
        TableInfo(
            schema: upstream.schema, table: upstream.table,
            columns: [ColumnInfo(name: "id", type: ColumnType(.int), nullable: false)],
            indexes: [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])])
    }

    private func routedTables(rng: inout SeededRandom, all: Bool) -> [TableName: [TableName: TableInfo]] {
        var result: [TableName: [TableName: TableInfo]] = [:]
        for name in self.upstreamTables where all || Int.random(in: 0..<4, using: &rng) != 0 {
            let upstream = TableName(schema: "shardddl1", table: name)
            let down = name.hasPrefix("tb") ? self.downstreams[0] : self.downstreams[1]
            result[down, default: [:]][upstream] = self.base(upstream)
        }
        return result
    }

    /// Mostly the current operation of a pending table; sometimes a stale id.
    private func done(state: Optimism.State, rng: inout SeededRandom) -> Optimism.Command? {
        let pending = state.locks.keys.sorted().flatMap { id in state.locks[id]!.pendingTables.map { (id, $0) } }
        guard let (id, table) = pending.randomElement(using: &rng),
            let op = state.locks[id]?.tables[table]?.operation
        else { return nil }
        let stale = Int.random(in: 0..<20, using: &rng) == 0 && op.id > 1
        return .operationDone(lock: id, table: table, operation: stale ? op.id - 1 : op.id)
    }

    private func stuckTable(state: Optimism.State, rng: inout SeededRandom) -> (LockID, SourceTable)? {
        let stuck = state.locks.keys.sorted().flatMap { id in state.locks[id]!.stuckTables.map { (id, $0) } }
        return stuck.randomElement(using: &rng)
    }

    /// A DDL on a random routed table, starting from the schema the coordinator knows for it.
    private func ddl(task: TaskName, source: SourceID, state: Optimism.State, rng: inout SeededRandom) -> OptimismInfo {
        let name = self.upstreamTables[Int.random(in: 0..<self.upstreamTables.count, using: &rng)]
        let upstream = TableName(schema: "shardddl1", table: name)
        let down = name.hasPrefix("tb") ? self.downstreams[0] : self.downstreams[1]
        let key = SourceTable(source: source, table: upstream)
        let before =
            state.lock(task: task, downstream: down)?.tables[key]?.schema
            ?? state.sourceTables[task]?[source]?[down]?[upstream] ?? self.base(upstream)
        var after = before
        let present = before.columns.map(\.name).filter { $0 != "id" }
        let absent = self.columnNames.filter { name in !present.contains(name) }
        let ddl: String
        let kind = Int.random(in: 0..<10, using: &rng)
        if (kind < 5 || present.isEmpty), let name = absent.randomElement(using: &rng) {
            let type: ColumnType
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: type = ColumnType(.varchar, length: Int.random(in: 4...5, using: &rng))
            case 1: type = ColumnType(.datetime)
            case 2: type = ColumnType(.bigint)
            default: type = ColumnType(.int)
            }
            after.columns.append(ColumnInfo(name: name, type: type))
            ddl = "ALTER TABLE \(upstream.quoted) ADD COLUMN `\(name)` \(type.base.rawValue)"
        } else if kind < 8 || absent.isEmpty, let name = present.randomElement(using: &rng) {
            after.columns.removeAll { $0.name == name }
            ddl = "ALTER TABLE \(upstream.quoted) DROP COLUMN `\(name)`"
        } else if let old = present.randomElement(using: &rng), let new = absent.randomElement(using: &rng) {
            let index = after.columns.firstIndex { $0.name == old }!
            after.columns[index].name = new
            ddl = "ALTER TABLE \(upstream.quoted) RENAME COLUMN `\(old)` TO `\(new)`"
        } else {
            ddl = "ALTER TABLE \(upstream.quoted) COMMENT 'noop'"
        }
        return OptimismInfo(
            task: task, source: source, upstream: upstream, downstream: down, ddls: [ddl], tableInfoBefore: before,
            tableInfosAfter: [after])
    }
}
