import BinaryCoding
import Domain
import Optimism
import Schema
import Testing

let task: TaskName = "test"
let downstream = TableName(schema: "shardddl", table: "tb")
let lockID = LockID(task: task, downstream: downstream)
let source1: SourceID = "mysql-replica-01"
let source2: SourceID = "mysql-replica-02"

func key(_ source: SourceID, _ table: String, schema: String = "shardddl1") -> SourceTable {
    SourceTable(source: source, table: TableName(schema: schema, table: table))
}

func column(
    _ name: String, _ base: BaseType, length: Int? = nil, nullable: Bool = true, default value: DefaultValue? = nil
) -> ColumnInfo {
    ColumnInfo(name: name, type: ColumnType(base, length: length), nullable: nullable, defaultValue: value)
}

/// `id INT PRIMARY KEY` plus `columns`.
func schema(_ columns: ColumnInfo..., indexes: [IndexInfo] = []) -> TableInfo {
    let id = column("id", .int, nullable: false)
    return TableInfo(
        schema: "shardddl1", table: "tb", columns: [id] + columns,
        indexes: [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])] + indexes)
}

/// Drives the decider the way the leader loop does, checking invariants and replay after each command.
struct Harness {
    var state = Optimism.State()
    var log: [Event] = []

    @discardableResult
    mutating func run(_ command: Optimism.Command) throws -> [OptimismEvent] {
        let events = try Optimism.decide(command, self.state)
        for event in events { Optimism.evolve(&self.state, event) }
        self.log += events
        try self.state.checkInvariants()
        return events.compactMap { if case .optimism(let e) = $0 { e } else { nil } }
    }

    /// Registers `tables` (all routed to `downstream`) for their sources with schema `initial`.
    mutating func register(_ tables: [SourceTable], _ initial: TableInfo) throws {
        for source in Set(tables.map(\.source)).sorted() {
            var routed: [TableName: TableInfo] = [:]
            for t in tables where t.source == source { routed[t.table] = initial }
            try self.run(.sourceTables(task: task, source: source, tables: [downstream: routed]))
        }
    }

    /// Reports `ddls` on `table`, each with its schema after, starting from `before`; returns the operation.
    @discardableResult
    mutating func ddl(
        _ table: SourceTable, _ before: TableInfo, _ steps: [(String, TableInfo)], strict: Bool = false
    ) throws -> OptimismOperation {
        let info = OptimismInfo(
            task: task, source: table.source, upstream: table.table, downstream: downstream, ddls: steps.map(\.0),
            tableInfoBefore: before, tableInfosAfter: steps.map(\.1))
        let events = try self.run(.reportInfo(info, strict: strict))
        return try #require(events.compactMap { if case .operationIssued(let op, _) = $0, op.table == table { op } else { nil } }.last)
    }

    /// Marks the table's current operation done.
    @discardableResult
    mutating func done(_ table: SourceTable) throws -> [OptimismEvent] {
        let op = try #require(self.state.locks[lockID]?.tables[table]?.operation)
        return try self.run(.operationDone(lock: lockID, table: table, operation: op.id))
    }

    var lock: Optimism.Lock? { self.state.locks[lockID] }

    func stage(_ table: SourceTable) -> ConflictStage? { self.lock?.tables[table]?.operation?.stage }

    /// Folding the whole log into a fresh state gives the live state, which survives a binary round trip.
    func checkReplay() throws {
        var replayed = Optimism.State()
        for event in self.log {
            let decoded = try Event(typeTag: event.typeTag, payload: event.encodedPayload())
            #expect(decoded == event)
            Optimism.evolve(&replayed, decoded)
        }
        #expect(replayed == self.state)
        #expect(try Optimism.State(decoding: self.state.encodedBytes()) == self.state)
    }
}

func hasColumn(_ table: TableInfo?, _ name: String) -> Bool { table?.column(named: name) != nil }
