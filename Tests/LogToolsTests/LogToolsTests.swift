import BraidTestSupport
import Domain
import EventLog
import Foundation
import LogTools
import Projections
import Synchronization
import Testing

/// Runs the demo scenario into a fresh data directory; it exercises every decider.
func withDemoLog(_ body: (String, LMDBLog) async throws -> Void) async throws {
    try await withTemporaryDirectory("logtools") { dir in
        try await DemoScenario.run(dataDir: dir) { _ in }
        try await body(dir, try DataDirectory.openLog(dir))
    }
}

@Suite struct LogToolsTests {
    @Test func auditShowsWhichInfoCreatedTheLockWhatWasDecidedAndWhoUnlocked() async throws {
        try await withDemoLog { _, log in
            let lock = "demo-`shardddl`.`tb`"
            let steps = try LogAudit.steps(in: log, kind: .lock, id: lock)
            let names = steps.map { $0.records.map(\.event.name) }
            // The first step is source1's Info and the lock it created.
            #expect(names.first == ["pessimism.infoReported", "pessimism.lockCreated"])
            // The mismatching Info is recorded as rejected, and the operator's unlock is followed by its decision.
            #expect(names.contains { $0.first == "pessimism.infoRejected" })
            let unlock = try #require(names.first { $0.first == "pessimism.unlockRequested" })
            #expect(unlock.dropFirst().contains("pessimism.operationIssued"))
            #expect(names.last?.suffix(2) == ["pessimism.lockResolved", "pessimism.lockRemoved"])
            var text: [String] = []
            LogAudit.render(steps, kind: .lock, id: lock) { text.append($0) }
            #expect(text.first?.hasPrefix("history of lock \(lock)") == true)
        }
    }

    @Test func auditOfATaskIncludesItsLocks() async throws {
        try await withDemoLog { _, log in
            let steps = try LogAudit.steps(in: log, kind: .task, id: "demo")
            let all = steps.flatMap { $0.records.map(\.event.name) }
            #expect(all.contains("task.started"))
            #expect(all.contains("pessimism.lockCreated"))
            #expect(try LogAudit.steps(in: log, kind: .task, id: "nope").isEmpty)
        }
    }

    @Test func verifyPassesOnASoundLogAndNamesTheCorruptSequence() async throws {
        try await withTemporaryDirectory("logtools") { dir in
            try await DemoScenario.run(dataDir: dir) { _ in }
            let rejectedSequence: UInt64
            do {
                let log = try DataDirectory.openLog(dir)
                #expect(try LogInspection.verify(log: log).isSound)
                let steps = try LogAudit.steps(in: log, kind: .source, id: "mysql-replica-02")
                rejectedSequence = try #require(steps.flatMap(\.records).first { $0.event.name == "pessimism.infoRejected" }?.sequence)
            }
            // Corrupt every stored copy of record 24's payload (the rejected Info).
            let file = DataDirectory.logPath(dir) + "/data.mdb"
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let needle = Array("DEFAULT -1".utf8)
            var hits = 0
            var i = 0
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0], Array(bytes[i..<(i + needle.count)]) == needle {
                    bytes[i + 8] = UInt8(ascii: "9")
                    hits += 1
                }
                i += 1
            }
            #expect(hits > 0)
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let report = try LogInspection.verify(log: try DataDirectory.openLog(dir))
            #expect(!report.isSound)
            #expect(report.firstBadSequence == rejectedSequence)
            #expect(report.problems.first?.contains("checksum") == true)
        }
    }

    @Test func replayUntilSequenceAndTimeMatchTheFold() async throws {
        try await withDemoLog { _, log in
            let last = log.lastSequence
            for seq in [UInt64(1), 10, 23, last] {
                let replayed = try LogInspection.replay(log: log, untilSequence: seq, untilTime: nil)
                #expect(replayed.lastSequence == seq)
                #expect(replayed == (try ClusterState.rebuild(from: log, through: seq, useSnapshots: false)))
            }
            let records = try log.records(from: 1, limit: 100)
            let middle = records[records.count / 2]
            let atTime = try LogInspection.replay(log: log, untilSequence: nil, untilTime: middle.timestamp)
            #expect(atTime.lastSequence >= middle.sequence)
            #expect(atTime.lastTimestamp <= middle.timestamp)
            #expect(try LogInspection.json(atTime).contains("\"lastSequence\""))
        }
    }

    @Test func exportIsOneParseableJSONObjectPerRecordWithoutPasswords() async throws {
        try await withDemoLog { _, log in
            var lines: [String] = []
            try LogReader(log: log).export { lines.append($0) }
            #expect(lines.count == Int(log.lastSequence))
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["type"] is String, "undecoded record: \(line)")
                #expect(object?["seq"] is Int)
            }
            #expect(!lines.contains { $0.contains("demo-secret") })
            #expect(lines.contains { $0.contains("\"password\":\"******\"") })
        }
    }

    @Test func rebuildWritesASnapshotEqualToTheFold() async throws {
        try await withDemoLog { _, log in
            let snapshot = try await LogInspection.rebuild(log: log)
            #expect(snapshot.sequence == log.lastSequence)
            let decoded = try ClusterState(snapshotBytes: snapshot.state)
            #expect(decoded == (try ClusterState.rebuild(from: log, useSnapshots: false)))
        }
    }

    @Test func missingDataDirectoryIsAClearError() throws {
        #expect(throws: LogToolError.self) { try LogReader(dataDir: "/nonexistent-braid-dir") }
    }
}
