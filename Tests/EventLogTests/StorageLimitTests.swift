import BraidTestSupport
import EventLog
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct StorageLimitTests {
    @Test func mapGrowsOnDemand() async throws {
        try await withTemporaryLog(options: .init(syncMode: .noSync, initialMapSize: 1 << 20, maxMapSize: 64 << 20)) { log, _ in
            let big = String(repeating: "x", count: 4_000)
            for batch in 0..<10 {
                _ = try await log.append((0..<100).map { entry("\(batch)-\($0)-\(big)") }, term: 1)
            }
            #expect(log.lastSequence == 1_000)
            #expect(try log.verify().isSound)
        }
    }

    @Test func mapFullIsTypedAndTheLogStaysReadable() async throws {
        try await withTemporaryLog(options: .init(syncMode: .noSync, initialMapSize: 1 << 20, maxMapSize: 2 << 20)) { log, _ in
            let big = String(repeating: "y", count: 8_000)
            var failure: EventLogError?
            for i in 0..<1_000 {
                do throws(EventLogError) {
                    _ = try await log.append([entry("\(i)-\(big)")], term: 1)
                } catch {
                    failure = error
                    break
                }
            }
            #expect(failure?.code == .mapFull)
            let last = log.lastSequence
            #expect(last > 0)
            let report = try log.verify()
            #expect(report.isSound)
            #expect(report.lastSequence == last)
        }
    }

    /// A real full file system: a 2 MiB tmpfs. Needs root (mount); skipped otherwise.
    @Test func diskFullIsTypedNothingIsLostAndTheLogStaysReadable() async throws {
        let dir = NSTemporaryDirectory() + "braid-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir]
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            print("skipping disk-full test: cannot mount tmpfs (not root?)")
            return
        }
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [dir]
            try? umount.run()
            umount.waitUntilExit()
        }
        var acknowledged: [UInt64] = []
        var failure: EventLogError?
        do {
            let log = try LMDBLog(path: dir + "/log", options: .init(syncMode: .durable, initialMapSize: 16 << 20, maxMapSize: 64 << 20))
            let big = String(repeating: "z", count: 2_000)
            for i in 0..<5_000 {
                do throws(EventLogError) {
                    let r = try await log.append([entry("\(i)-\(big)")], term: 1)
                    acknowledged += Array(r)
                } catch {
                    failure = error
                    break
                }
            }
            #expect(failure?.code == .diskFull)
            // Still readable while the disk is full.
            #expect(try log.records(from: 1, limit: 1).count == 1)
        }
        let reopened = try LMDBLog(path: dir + "/log")
        let report = try reopened.verify()
        #expect(report.isSound)
        #expect(report.lastSequence == acknowledged.last)
        #expect(acknowledged == Array(1...UInt64(acknowledged.count)))
    }
}
