import BinaryCoding
import Domain
import Optimism
import Schema
import Testing
import Foundation

/// Every optimism event survives the log's binary framing and JSON, with a stable tag and name.
@Suite struct EventCodingTests {
    static let table = key(source1, "tb1")
    static let before = schema(column("a", .int))
    static let info = OptimismInfo(
        task: task, source: source1, upstream: table.table, downstream: downstream, ddls: ["ADD COLUMN b INT"],
        tableInfoBefore: before, tableInfosAfter: [schema(column("a", .int), column("b", .int))])
    static let op = OptimismOperation(
        lock: lockID, table: table, id: 7, ddls: ["ADD COLUMN b INT"], stage: .skipAndWaitForRedirect, message: "why",
        cols: ["c"], executedDrops: ["c"])

    static let all: [OptimismEvent] = [
        .sourceTablesReported(task: task, source: source1, tables: [downstream: [table.table: before]]),
        .sourceLeftTask(task: task, source: source1),
        .taskRemoved(task: task),
        .infoReported(info),
        .infoRejected(info, reason: "bad"),
        .lockCreated(lock: lockID, task: task, downstream: downstream, tables: [table: before], joined: before),
        .tableAdded(lock: lockID, table: table, schema: before, joined: nil),
        .tableRemoved(lock: lockID, table: table, joined: before),
        .operationIssued(op, OptimismTableUpdate(schema: before, conflict: before, unlocked: true, joined: nil)),
        .conflictsResolved(lock: lockID, tables: [table: before], redirects: [op], joined: before),
        .operationDone(lock: lockID, table: table, operation: 7),
        .operationDoneRejected(lock: lockID, table: table, operation: 3, reason: "stale"),
        .droppedColumnStageChanged(lock: lockID, column: "c", table: table, stage: .partiallyDone),
        .droppedColumnCleared(lock: lockID, column: "c"),
        .operatorUnlocked(lock: lockID, table: table, action: .exec),
        .lockResolved(lock: lockID),
        .lockRemoved(lock: lockID, reason: .forced),
    ]

    @Test(arguments: all)
    func roundTrip(_ event: OptimismEvent) throws {
        let wrapped = Event.optimism(event)
        let decoded = try Event(typeTag: wrapped.typeTag, payload: wrapped.encodedPayload())
        #expect(decoded == wrapped)
        #expect(wrapped.name == "optimism.\(event.caseName)")
        #expect(!wrapped.subjects.isEmpty)
        let json = try JSONEncoder().encode(wrapped)
        #expect(try JSONDecoder().decode(Event.self, from: json) == wrapped)
    }

    @Test func tagsAreUniqueAndDense() {
        #expect(Self.all.map(\.caseTag) == Array(1...17))
    }

    @Test func unknownTagIsRefused() {
        var reader = ByteReader([])
        #expect(throws: BinaryDecodingError.self) { try OptimismEvent(caseTag: 200, from: &reader) }
    }
}
