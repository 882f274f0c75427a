import BinaryCoding
import Domain
import Foundation
import Testing

@Suite struct EventRoundTripTests {
    static func samples() throws -> [Event] {
        let source = try SourceConfig.load(yaml: ConfigFixtures.source1).config
        let task = try TaskConfig.load(yaml: ConfigFixtures.doubleSourcePessimistic).config
        let gtid = try GTIDSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7", flavor: .mysql)
        return [
            .source(.added(source)), .source(.updated(source)), .source(.removed("mysql-replica-01")),
            .worker(.registered("worker1", address: "127.0.0.1:8262")),
            .worker(.keepalive("worker1", at: 1_700_000_000_123)),
            .worker(.expired("worker1", at: -5)), .worker(.offlined("worker1")), .worker(.removed("worker1")),
            .binding(.bound("mysql-replica-01", "worker1", epoch: 7)),
            .binding(.unbound("mysql-replica-01", "worker1", epoch: 7, reason: .workerExpired)),
            .binding(.unbound("mysql-replica-01", "worker1", epoch: UInt64.max, reason: .transferred)),
            .task(.started("test", config: task, sources: ["mysql-replica-01", "mysql-replica-02"])),
            .task(.stageChanged("test", source: nil, stage: .paused)),
            .task(.stageChanged("test", source: "mysql-replica-02", stage: .running)),
            .task(.subtaskScheduled("test", source: "mysql-replica-01")),
            .task(.subtaskRemoved("test", source: "mysql-replica-01")), .task(.stopped("test")),
            .task(.binlogOperationSet("test", source: "mysql-replica-01", operation: .skip(at: BinlogPosition(file: "mysql-bin.000001", pos: 8964)))),
            .task(
                .binlogOperationSet(
                    "test", source: "mysql-replica-02",
                    operation: .replace(
                        at: BinlogPosition(file: "mysql-bin.000003", pos: UInt32.max),
                        with: ["ALTER TABLE tb1 ADD COLUMN c INT", "ALTER TABLE tb1 ADD COLUMN d INT"]))),
            .task(.binlogOperationRemoved("test", source: "mysql-replica-01", position: BinlogPosition(file: "mysql-bin.000001", pos: 8964))),
            .task(
                .schemaOperationSet(
                    "test", source: "mysql-replica-01",
                    operation: SchemaOperation(id: 7, schema: "shardddl1", table: "tb1", createTable: "CREATE TABLE tb1 (a INT PRIMARY KEY)"))),
            .task(.schemaOperationSet("test", source: "mysql-replica-02", operation: SchemaOperation(id: 300, schema: "d", table: "t", createTable: nil))),
            .checkpoint(
                .reported(
                    task: "test",
                    source: "mysql-replica-01",
                    position: BinlogPosition(file: "mysql-bin.000002", pos: 4),
                    gtid: gtid,
                    at: 42
                )
            ),
            .checkpoint(
                .reported(
                    task: "test",
                    source: "mysql-replica-02",
                    position: BinlogPosition(file: "b.1", pos: 9),
                    gtid: nil,
                    at: 43
                )
            ),
        ]
    }

    @Test func everyEventRoundTripsThroughTheRecordCodec() throws {
        for event in try Self.samples() {
            let decoded = try Event(typeTag: event.typeTag, payload: event.encodedPayload())
            #expect(decoded == event, "\(event.name)")
            #expect(!event.subjects.isEmpty, "\(event.name) has no subjects")
        }
    }

    @Test func tagsAndNamesAreStable() throws {
        // On-disk format: these numbers must never change.
        #expect(Event.source(.removed("s")).typeTag == 0x0103)
        #expect(Event.worker(.removed("w")).typeTag == 0x0205)
        #expect(Event.binding(.unbound("s", "w", epoch: 1, reason: .sourceRemoved)).typeTag == 0x0302)
        #expect(Event.task(.stopped("t")).typeTag == 0x0405)
        let at = BinlogPosition(file: "f.1", pos: 4)
        #expect(Event.task(.binlogOperationSet("t", source: "s", operation: .skip(at: at))).typeTag == 0x0406)
        #expect(Event.task(.binlogOperationRemoved("t", source: "s", position: at)).typeTag == 0x0407)
        #expect(Event.task(.binlogOperationRemoved("t", source: "s", position: at)).name == "task.binlogOperationRemoved")
        #expect(Event.task(.binlogOperationSet("t", source: "s", operation: .skip(at: at))).subjects == [.task("t"), .source("s")])
        #expect(
            Event.checkpoint(.reported(task: "t", source: "s", position: .init(file: "f.1", pos: 4), gtid: nil, at: 0))
                .typeTag == 0x0701
        )
        #expect(Event.binding(.bound("s", "w", epoch: 1)).name == "binding.bound")
        #expect(Event.task(.stageChanged("t", source: "s", stage: .paused)).subjects == [.task("t"), .source("s")])
        #expect(Event.binding(.bound("s", "w", epoch: 1)).subjects == [.source("s"), .worker("w")])
    }

    @Test func unknownCaseTagsAndTruncationAreRejected() throws {
        for category: UInt16 in [1, 2, 3, 4, 7] {
            #expect(throws: BinaryDecodingError.self) { try Event(typeTag: category << 8 | 0xEE, payload: [1, 0]) }
        }
        for event in try Self.samples() {
            let payload = event.encodedPayload()
            #expect(throws: BinaryDecodingError.self) {
                try Event(typeTag: event.typeTag, payload: Array(payload.dropLast()))
            }
        }
    }

    @Test func eventsAreCodableAndRedactPasswords() throws {
        for event in try Self.samples() {
            let clear = JSONEncoder()
            clear.userInfo[.braidIncludePasswords] = true
            #expect(try JSONDecoder().decode(Event.self, from: clear.encode(event)) == event)
        }
        let added = try Self.samples()[0]
        #expect(!String(decoding: try JSONEncoder().encode(added), as: UTF8.self).contains("123456\""))
    }
}
