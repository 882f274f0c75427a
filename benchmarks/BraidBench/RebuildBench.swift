import Domain
import EventLog
import Foundation
import Projections

/// Projection rebuild from 1M mixed events with no snapshot: events/s and the peak RSS of a fresh
/// process that does only the fold.
enum RebuildBench {
    static func run(scratch: String, events target: Int = 1_000_000) async throws {
        print("== Projection rebuild: \(target) mixed events, no snapshot ==")
        let dir = scratch + "/bench-rebuild-\(target)"
        if !FileManager.default.fileExists(atPath: dir + "/data.mdb") {
            try await self.generate(into: dir, target: target)
        }
        // Measure in a child so the generator's memory does not count.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["rebuild-measure", dir]
        try child.run()
        child.waitUntilExit()
    }

    static func generate(into dir: String, target: Int) async throws {
        let clock = ContinuousClock()
        let t0 = clock.now
        let log = try LMDBLog(path: dir, options: .init(syncMode: .noSync, initialMapSize: 1 << 30))
        var workload = try Workload(sourceCount: 16)
        var pending = try workload.setUp()
        var written = 0
        var k = 0
        var mix: [String: Int] = [:]
        while written + pending.count < target {
            switch k % 4 {
            case 0: pending += workload.pessimisticCycle(k)
            case 1, 3: pending += workload.heartbeatCycle(k)
            default: pending += workload.optimisticCycle(k / 4)
            }
            k += 1
            if pending.count >= 20_000 {
                for e in pending { mix[String(e.name.split(separator: ".")[0]), default: 0] += 1 }
                _ = try await log.append(pending.map { LogEntry(typeTag: $0.typeTag, payload: $0.encodedPayload(), timestamp: workload.now) }, term: 1)
                written += pending.count
                pending = []
            }
        }
        let rest = Array(pending.prefix(target - written))
        for e in rest { mix[String(e.name.split(separator: ".")[0]), default: 0] += 1 }
        _ = try await log.append(rest.map { LogEntry(typeTag: $0.typeTag, payload: $0.encodedPayload(), timestamp: workload.now) }, term: 1)
        print("generated \(log.lastSequence) events in \(clock.now - t0); mix: \(mix.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    }

    /// The child: open, fold everything, report rate and peak RSS (VmHWM).
    static func measure(dir: String) throws {
        let log = try LMDBLog(path: dir)
        let clock = ContinuousClock()
        let t0 = clock.now
        let state = try ClusterState.rebuild(from: log, useSnapshots: false)
        let elapsed = clock.now - t0
        try state.checkInvariants()
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM") }.map(String.init) ?? "VmHWM unknown"
        print(String(format: "rebuilt %d events in %.3f s -> %.0f events/s; peak RSS %@", Int(state.eventCount),
                     Double(nanos(elapsed)) / 1e9, rate(Int(state.eventCount), elapsed), hwm.replacingOccurrences(of: "\t", with: " ")))
    }
}
