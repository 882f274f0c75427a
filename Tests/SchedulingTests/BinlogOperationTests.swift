import BinaryCoding
import BraidTestSupport
import Domain
import Scheduling
import Testing

/// `binlog skip|replace|revert` (DM `binlog` / `handle-error`) as scheduler decisions.
@Suite struct BinlogOperationTests {
    let at = BinlogPosition(file: "mysql-bin.000001", pos: 8964)
    let later = BinlogPosition(file: "mysql-bin.000002", pos: 4)

    func started() throws -> Harness {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2)
        try h.startTask("test", s1, s2)
        return h
    }

    @Test func setReplacesAtThePositionAndIsIdempotent() throws {
        var h = try self.started()
        let skip = BinlogOperation.skip(at: self.at)
        #expect(try h.run(.setBinlogOperation("test", source: s1, skip)) == [
            .task(.binlogOperationSet("test", source: s1, operation: skip))
        ])
        #expect(try h.run(.setBinlogOperation("test", source: s1, skip)).isEmpty)
        let replace = BinlogOperation.replace(at: self.at, with: ["ALTER TABLE tb1 ADD COLUMN c INT"])
        try h.run(.setBinlogOperation("test", source: s1, replace))
        try h.run(.setBinlogOperation("test", source: s1, .skip(at: self.later)))
        let record = try #require(h.state.tasks["test"])
        #expect(record.binlogOperations(of: s1) == [replace, .skip(at: self.later)])
        #expect(record.binlogOperations(of: s2).isEmpty)
        #expect(h.replayed() == h.state)
    }

    @Test func refusals() throws {
        var h = try self.started()
        #expect(h.refuse(.setBinlogOperation("nope", source: s1, .skip(at: self.at))) == .taskNotFound)
        #expect(h.refuse(.setBinlogOperation("test", source: s3, .skip(at: self.at))) == .subtaskNotFound)
        #expect(h.refuse(.setBinlogOperation("test", source: s1, .replace(at: self.at, with: []))) == .invalidCommand)
        #expect(h.refuse(.setBinlogOperation("test", source: s1, .replace(at: self.at, with: [" ; "]))) == .invalidCommand)
        #expect(
            h.refuse(.setBinlogOperation("test", source: s1, BinlogOperation(position: self.at, action: .skip, statements: ["x"])))
                == .invalidCommand)
        #expect(h.refuse(.removeBinlogOperation("test", source: s1, position: self.at)) == .binlogOperationNotFound)
        #expect(h.refuse(.removeBinlogOperation("test", source: s3, position: nil)) == .subtaskNotFound)
    }

    @Test func revertOneOrAll() throws {
        var h = try self.started()
        try h.run(.setBinlogOperation("test", source: s1, .skip(at: self.at)))
        try h.run(.setBinlogOperation("test", source: s1, .skip(at: self.later)))
        try h.run(.setBinlogOperation("test", source: s2, .skip(at: self.at)))
        #expect(try h.run(.removeBinlogOperation("test", source: s1, position: self.at)) == [
            .task(.binlogOperationRemoved("test", source: s1, position: self.at))
        ])
        #expect(h.state.tasks["test"]?.binlogOperations(of: s1) == [.skip(at: self.later)])
        #expect(try h.run(.removeBinlogOperation("test", source: s1, position: nil)).count == 1)
        #expect(h.state.tasks["test"]?.binlogOperations[s1] == nil)
        #expect(try h.run(.removeBinlogOperation("test", source: s1, position: nil)).isEmpty)
        #expect(h.state.tasks["test"]?.binlogOperations(of: s2) == [.skip(at: self.at)])
    }

    @Test func stoppingASubtaskDropsItsOperations() throws {
        var h = try self.started()
        try h.run(.setBinlogOperation("test", source: s1, .skip(at: self.at)))
        try h.run(.setBinlogOperation("test", source: s2, .skip(at: self.at)))
        try h.run(.stopTask("test", source: s1))
        #expect(h.state.tasks["test"]?.binlogOperations[s1] == nil)
        #expect(h.state.tasks["test"]?.binlogOperations(of: s2) == [.skip(at: self.at)])
        try h.run(.stopTask("test"))
        try h.startTask("test", s1, s2)
        #expect(h.state.tasks["test"]?.binlogOperations.isEmpty == true)
        #expect(h.replayed() == h.state)
    }

    @Test func operationsSurviveTheStateEncoding() throws {
        var h = try self.started()
        try h.run(.setBinlogOperation("test", source: s1, .replace(at: self.at, with: ["ALTER TABLE tb1 ADD COLUMN c INT"])))
        try h.run(.setBinlogOperation("test", source: s2, .skip(at: self.later)))
        var writer = ByteWriter()
        h.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try Scheduling.State(from: &reader) == h.state)
    }
}
