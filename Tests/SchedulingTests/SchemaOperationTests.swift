import BinaryCoding
import BraidTestSupport
import Domain
import Scheduling
import Testing

/// `binlog-schema update|delete` (DM `binlog-schema` / `operate-schema`) as scheduler decisions.
@Suite struct SchemaOperationTests {
    let create = "CREATE TABLE tb1 (a INT PRIMARY KEY, b VARCHAR(10))"

    func paused() throws -> Harness {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2)
        try h.startTask("test", s1, s2)
        try h.run(.pauseTask("test", source: s1))
        return h
    }

    // DM refuses operate-schema set on a subtask that is not paused.
    @Test func onlyWhilePaused() throws {
        var h = try self.paused()
        #expect(h.refuse(.setSchemaOperation("test", source: s2, schema: "db", table: "tb1", createTable: self.create)) == .subtaskNotPaused)
        #expect(h.refuse(.setSchemaOperation("nope", source: s1, schema: "db", table: "tb1", createTable: self.create)) == .taskNotFound)
        #expect(h.refuse(.setSchemaOperation("test", source: s3, schema: "db", table: "tb1", createTable: self.create)) == .subtaskNotFound)
        #expect(h.refuse(.setSchemaOperation("test", source: s1, schema: "db", table: "tb1", createTable: " ; ")) == .invalidCommand)
        #expect(h.refuse(.setSchemaOperation("test", source: s1, schema: "", table: "tb1", createTable: nil)) == .invalidCommand)
    }

    // Ids grow across subtasks; a later operation on the same table replaces the earlier one.
    @Test func idsGrowAndTheLatestPerTableWins() throws {
        var h = try self.paused()
        #expect(try h.run(.setSchemaOperation("test", source: s1, schema: "db", table: "tb1", createTable: self.create)) == [
            .task(.schemaOperationSet("test", source: s1, operation: SchemaOperation(id: 1, schema: "db", table: "tb1", createTable: self.create)))
        ])
        try h.run(.pauseTask("test", source: s2))
        try h.run(.setSchemaOperation("test", source: s2, schema: "db", table: "tb1", createTable: nil))
        try h.run(.setSchemaOperation("test", source: s1, schema: "db", table: "tb2", createTable: self.create))
        try h.run(.setSchemaOperation("test", source: s1, schema: "db", table: "tb1", createTable: nil))
        #expect(h.state.schemaOperations(task: "test", source: s1) == [
            SchemaOperation(id: 3, schema: "db", table: "tb2", createTable: self.create),
            SchemaOperation(id: 4, schema: "db", table: "tb1", createTable: nil),
        ])
        #expect(h.state.schemaOperations(task: "test", source: s2).map(\.id) == [2])
        #expect(h.replayed() == h.state)
        var writer = ByteWriter()
        h.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try Scheduling.State(from: &reader) == h.state)
    }

    // Operations go with their subtask; ids never restart, so a re-started subtask whose checkpoint
    // remembers an old id never mistakes a new operation for an applied one.
    @Test func stoppingDropsOperationsButNotTheirIds() throws {
        var h = try self.paused()
        try h.run(.setSchemaOperation("test", source: s1, schema: "db", table: "tb1", createTable: self.create))
        try h.run(.stopTask("test"))
        #expect(h.state.schemaOperations.isEmpty)
        try h.startTask("test", s1, s2)
        try h.run(.pauseTask("test"))
        try h.run(.setSchemaOperation("test", source: s1, schema: "db", table: "tb1", createTable: self.create))
        #expect(h.state.schemaOperations(task: "test", source: s1).map(\.id) == [2])
        #expect(h.replayed() == h.state)
    }
}
