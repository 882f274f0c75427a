import EventLog
import Foundation

/// Durable appends with 1 / 16 / 256 concurrent appenders (group commit), and single-appender latency.
enum EventLogBench {
    struct Result {
        var appenders: Int
        var events: Int
        var eventsPerSecond: Double
    }

    static func payload(_ i: Int) -> [UInt8] {
        // ~120 bytes, the size of a typical pessimistic Info event.
        Array("{\"task\":\"test\",\"source\":\"mysql-replica-0\(i % 8)\",\"ddls\":[\"ALTER TABLE `shardddl`.`tb` ADD COLUMN `c\(i)` INT\"]}".utf8)
    }

    static func run(scratch: String) async throws {
        print("== EventLog: durable appends (LMDB, fsync per commit) ==")
        for appenders in [1, 16, 256] {
            let r = try await throughput(appenders: appenders, scratch: scratch)
            print(String(format: "appenders %4d: %8d events in group commits -> %10.0f events/s", r.appenders, r.events, r.eventsPerSecond))
        }
        let latencies = try await singleLatency(count: 3_000, scratch: scratch)
        print("single appender durable append latency: \(latencies.summary)")
    }

    static func throughput(appenders: Int, scratch: String, seconds: Double = 3) async throws -> Result {
        let dir = scratch + "/bench-eventlog-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try LMDBLog(path: dir, options: .init(syncMode: .durable, initialMapSize: 1 << 30))
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        let start = clock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for a in 0..<appenders {
                group.addTask {
                    var n = 0
                    while clock.now < deadline {
                        _ = try await log.append([LogEntry(typeTag: 1, payload: payload(a + n), timestamp: 0)], term: 1)
                        n += 1
                    }
                    return n
                }
            }
            var sum = 0
            for try await n in group { sum += n }
            return sum
        }
        let elapsed = clock.now - start
        precondition(log.lastSequence == UInt64(total), "lost appends")
        return Result(appenders: appenders, events: total, eventsPerSecond: rate(total, elapsed))
    }

    static func singleLatency(count: Int, scratch: String) async throws -> Percentiles {
        let dir = scratch + "/bench-eventlog-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try LMDBLog(path: dir, options: .init(syncMode: .durable))
        let clock = ContinuousClock()
        var samples: [UInt64] = []
        samples.reserveCapacity(count)
        for i in 0..<count {
            let t0 = clock.now
            _ = try await log.append([LogEntry(typeTag: 1, payload: payload(i), timestamp: 0)], term: 1)
            samples.append(nanos(clock.now - t0))
        }
        return Percentiles(samples)
    }
}
