import Domain
import EventLog
import Foundation
import Projections
import BinaryCoding

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

extension RebuildBench {
    /// Where rebuild time goes: storage read, decode and apply, per event category.
    static func profile(dir: String) throws {
        let log = try LMDBLog(path: dir)
        let clock = ContinuousClock()
        var decode: [String: UInt64] = [:]
        var apply: [String: UInt64] = [:]
        var count: [String: Int] = [:]
        var state = ClusterState()
        var t0 = clock.now
        var c0 = threadCPU()
        var readOnly = 0
        try log.forEachRawRecord(in: 1...UInt64.max) { _ in readOnly += 1; return true }
        let readTime = clock.now - t0
        let readCPU = threadCPU() - c0
        // Decode only, as the rebuild does it (in place, interned), then the whole sequential fold.
        t0 = clock.now
        c0 = threadCPU()
        let interner = StringInterner()
        try log.forEachRawRecord(in: 1...UInt64.max) { record in
            _ = try! Event(typeTag: record.typeTag, unsafePayload: record.payload, interner: interner)
            return true
        }
        let decodeOnly = clock.now - t0
        let decodeCPU = threadCPU() - c0
        t0 = clock.now
        c0 = threadCPU()
        var sequential = ClusterState()
        let interner2 = StringInterner()
        try log.forEachRawRecord(in: 1...UInt64.max) { record in
            sequential.apply(try! Event(typeTag: record.typeTag, unsafePayload: record.payload, interner: interner2),
                             sequence: record.sequence, timestamp: record.timestamp)
            return true
        }
        let sequentialTime = clock.now - t0
        let sequentialCPU = threadCPU() - c0
        t0 = clock.now
        let pipelined = try ClusterState.rebuild(from: log, useSnapshots: false)
        let pipelinedTime = clock.now - t0
        precondition(pipelined == sequential)
        print(String(format: "wall / thread CPU s: read+CRC %.3f / %.3f; read+decode %.3f / %.3f; sequential fold %.3f / %.3f; rebuild (pipelined) wall %.3f",
                     seconds(readTime), readCPU, seconds(decodeOnly), decodeCPU, seconds(sequentialTime), sequentialCPU, seconds(pipelinedTime)))
        let interner3 = StringInterner()
        try log.forEachRawRecord(in: 1...UInt64.max) { record in
            let a = clock.now
            let event = try! Event(typeTag: record.typeTag, unsafePayload: record.payload, interner: interner3)
            let b = clock.now
            state.apply(event, sequence: record.sequence, timestamp: record.timestamp)
            let c = clock.now
            let name = event.name
            decode[name, default: 0] += nanos(b - a)
            apply[name, default: 0] += nanos(c - b)
            count[name, default: 0] += 1
            return true
        }
        print("per event (timer overhead included); MemoryLayout<Event>.size = \(MemoryLayout<Event>.size):")
        for name in count.keys.sorted(by: { decode[$0]! + apply[$0]! > decode[$1]! + apply[$1]! }) {
            print(String(format: "%-36@ n=%7d decode %6.0f ms (%5.2f µs)  apply %6.0f ms (%5.2f µs)", name as NSString, count[name]!,
                         Double(decode[name]!) / 1e6, Double(decode[name]!) / 1e3 / Double(count[name]!),
                         Double(apply[name]!) / 1e6, Double(apply[name]!) / 1e3 / Double(count[name]!)))
        }
    }
}

/// CPU time of the calling thread, in seconds (robust against other load on the machine).
func threadCPU() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func seconds(_ d: Duration) -> Double { Double(nanos(d)) / 1e9 }
