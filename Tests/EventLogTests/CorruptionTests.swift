import BraidTestSupport
import EventLog
import Foundation
import Testing

@Suite struct CorruptionTests {
    /// Flips one byte inside a record's payload on disk; verify must name that record's sequence.
    @Test func verifyNamesTheFirstCorruptSequence() async throws {
        try await withTemporaryDirectory("eventlog") { dir in
            let marker = "MARK-0042-UNIQUE"
            do {
                let log = try LMDBLog(path: dir, options: .init(syncMode: .durable))
                _ = try await log.append((1...41).map { entry("plain-\($0)") }, term: 1)
                _ = try await log.append([entry(marker)], term: 1)
                _ = try await log.append((43...60).map { entry("plain-\($0)") }, term: 1)
                #expect(try log.verify().isSound)
            }
            let file = dir + "/data.mdb"
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let needle = Array(marker.utf8)
            // Copy-on-write leaves stale page versions behind, so corrupt every copy of the record.
            var corrupted = 0
            var from = 0
            while let at = firstIndex(of: needle, in: bytes, from: from) {
                bytes[at + 5] ^= 0xFF
                corrupted += 1
                from = at + needle.count
            }
            #expect(corrupted > 0)
            try Data(bytes).write(to: URL(fileURLWithPath: file))

            let reopened = try LMDBLog(path: dir)
            let report = try reopened.verify()
            #expect(report.firstProblem?.code == .corruptRecord)
            #expect(report.firstProblem?.sequence == 42)
            #expect(report.recordCount == 60)
            // Reading the corrupt record is an error, never silently wrong data.
            #expect(throws: EventLogError.self) { try reopened.records(from: 42, limit: 1) }
            #expect(try reopened.records(from: 41, limit: 1).count == 1)
        }
    }

    private func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard start + needle.count <= haystack.count else { return nil }
        for i in start...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
