import BinaryCoding
import BraidTestSupport
import Domain
import Foundation
import Pessimism
import Testing

/// Every pessimism event survives the log's binary framing and the API's JSON unchanged.
@Suite("PessimismEvent coding")
struct PessimismEventCodingTests {
    typealias F = Fixture

    /// One value of every case, with optionals both set and unset.
    static let samples: [PessimismEvent] = [
        .infoReported(info: F.info(F.source1, "a", "b"), taskSources: [F.source2, F.source1]),
        .infoReported(info: F.info(F.source2, "a", "b"), taskSources: nil),
        .infoRejected(info: F.info(F.source2, "c"), reason: .ddlsDiffer(lockDDLs: ["a"]), taskSources: [F.source2]),
        .infoRejected(
            info: F.info(F.source2, "c"),
            reason: .anotherDDLInFlight(lock: F.lock, ddls: ["x"]),
            taskSources: [F.source2]
        ),
        .infoRejected(info: F.info(F.source2, "c"), reason: .sourceNotInTask, taskSources: []),
        .lockCreated(
            lock: F.lock,
            serial: 7,
            task: F.task,
            downstream: F.table,
            owner: F.source1,
            ddls: ["a"],
            sources: [F.source1, F.source2]
        ),
        .lockCreated(
            lock: F.lock,
            serial: 8,
            task: F.task,
            downstream: F.table,
            owner: F.source1,
            ddls: ["a"],
            sources: nil
        ),
        .sourceSynced(lock: F.lock, source: F.source2),
        .sourcesAdded(lock: F.lock, sources: [F.source3]),
        F.exec(F.source1, ["a"]),
        F.skip(F.source2, ["a"]),
        F.done(F.source1),
        .unlockRequested(lock: F.lock, owner: nil, forceRemove: false),
        .unlockRequested(lock: F.lock, owner: F.source2, forceRemove: true),
        .sourceLeftTask(task: F.task, source: F.source2),
        .sourceReleased(lock: F.lock, source: F.source1, newOwner: F.source2),
        .sourceReleased(lock: F.lock, source: F.source2, newOwner: nil),
        .lockResolved(lock: F.lock),
        .lockRemoved(lock: F.lock, reason: .resolved),
        .lockRemoved(lock: F.lock, reason: .forced),
        .lockRemoved(lock: F.lock, reason: .taskRemoved),
        .lockRemoved(lock: F.lock, reason: .abandoned),
        .taskRemoved(task: F.task),
    ]

    @Test("Binary round trip through Event(typeTag:payload:)", arguments: samples)
    func binaryRoundTrip(_ sample: PessimismEvent) throws {
        let event = Event.pessimism(sample)
        let decoded = try Event(typeTag: event.typeTag, payload: event.encodedPayload())
        #expect(decoded == event)
        #expect(event.typeTag >> 8 == UInt16(Event.Category.pessimism.rawValue))
        #expect(event.name == "pessimism.\(sample.caseName)")
    }

    @Test("JSON round trip (export and API)", arguments: samples)
    func jsonRoundTrip(_ sample: PessimismEvent) throws {
        let event = Event.pessimism(sample)
        let data = try JSONEncoder().encode(event)
        #expect(try JSONDecoder().decode(Event.self, from: data) == event)
    }

    @Test("A truncated payload is refused, never misread", arguments: samples)
    func truncated(_ sample: PessimismEvent) {
        let event = Event.pessimism(sample)
        let payload = event.encodedPayload()
        #expect(throws: BinaryDecodingError.self) {
            try Event(typeTag: event.typeTag, payload: Array(payload.dropLast()))
        }
    }

    @Test("Case tags are 1...13, distinct; unknown tags are refused")
    func tags() {
        let tags = Set(Self.samples.map(\.caseTag))
        #expect(tags == Set(1...13))
        #expect(throws: BinaryDecodingError.self) {
            try Event(typeTag: UInt16(Event.Category.pessimism.rawValue) << 8 | 14, payload: [Event.codecVersion])
        }
    }

    @Test("Subjects name the lock, its task and the sources involved")
    func subjects() {
        let subjects = Event.pessimism(.sourceReleased(lock: F.lock, source: F.source1, newOwner: F.source2)).subjects
        #expect(
            subjects == [
                .lock(F.lock.rawValue), .task("test"), .source(F.source1.rawValue), .source(F.source2.rawValue),
            ]
        )
    }

    @Test("The state encodes deterministically and round-trips (snapshots)")
    func stateRoundTrip() throws {
        var h = Harness(taskSources: [F.source1, F.source2, F.source3])
        try h.report(F.info(F.source1, "a"))
        try h.report(F.info(F.source2, "b"))
        try h.report(
            PessimismInfo(task: F.task, source: F.source3, downstream: TableName(schema: "s", table: "t"), ddls: ["c"])
        )
        try h.run(.unlock(F.lock, owner: nil, forceRemove: false))
        let bytes = h.state.encodedBytes()
        let decoded = try Pessimism.State(decoding: bytes)
        #expect(decoded == h.state)
        #expect(decoded.encodedBytes() == bytes)
        #expect(h.replayed().encodedBytes() == bytes)
        let json = try JSONEncoder().encode(h.state)
        #expect(try JSONDecoder().decode(Pessimism.State.self, from: json) == h.state)
    }
}
