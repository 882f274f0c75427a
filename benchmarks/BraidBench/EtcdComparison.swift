import EventLog
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs etcd 3.4 on loopback and drives it with the same single-appender and 256-way durable write
/// load through its HTTP gateway (`/v3/kv/put`, each put a raft commit + fsync), then prints our ratio.
enum EtcdComparison {
    static func run(scratch: String) async throws {
        print("== etcd 3.4 through its JSON gateway, same load ==")
        guard let etcd = try EtcdProcess.start(scratch: scratch) else {
            print("etcd not found (apt-get install etcd-server); skipping the comparison")
            return
        }
        defer { etcd.stop() }
        let value = EventLogBench.payload(0)

        let single = try etcdSingle(port: etcd.port, count: 1_000, value: value)
        let wide = try etcdConcurrent(port: etcd.port, clients: 256, seconds: 3, value: value)
        let braidSingle = try await EventLogBench.singleLatency(count: 1_000, scratch: scratch)
        let braidWide = try await EventLogBench.throughput(appenders: 256, scratch: scratch)

        print("etcd  single put latency: \(single.summary)  (\(String(format: "%.0f", 1e6 / max(single.at(0.5), 1))) puts/s at p50)")
        print(String(format: "etcd  256 concurrent clients: %.0f puts/s", wide))
        print("braid single append latency: \(braidSingle.summary)")
        print(String(format: "braid 256 concurrent appenders: %.0f events/s", braidWide.eventsPerSecond))
        print(String(format: "RATIO braid/etcd: single-appender p50 latency %.1fx lower; 256-way throughput %.1fx higher",
                     single.at(0.5) / max(braidSingle.at(0.5), 0.001), braidWide.eventsPerSecond / max(wide, 1)))
    }

    static func putBody(key: String, value: [UInt8]) -> String {
        "{\"key\":\"\(Data(key.utf8).base64EncodedString())\",\"value\":\"\(Data(value).base64EncodedString())\"}"
    }

    static func etcdSingle(port: UInt16, count: Int, value: [UInt8]) throws -> Percentiles {
        let client = try KeepAliveHTTPClient(port: port)
        var samples: [UInt64] = []
        let clock = ContinuousClock()
        for i in 0..<count {
            let t0 = clock.now
            let status = try client.post("/v3/kv/put", body: putBody(key: "single/\(i)", value: value))
            precondition(status == 200, "etcd put failed with HTTP \(status)")
            samples.append(nanos(clock.now - t0))
        }
        return Percentiles(samples)
    }

    /// 256 OS threads, each with its own keep-alive connection, putting in a loop.
    static func etcdConcurrent(port: UInt16, clients: Int, seconds: Double, value: [UInt8]) throws -> Double {
        let total = Mutex(0)
        let group = DispatchGroup()
        let start = Date()
        let deadline = start.addingTimeInterval(seconds)
        for c in 0..<clients {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                guard let client = try? KeepAliveHTTPClient(port: port) else { return }
                var n = 0
                while Date() < deadline {
                    guard (try? client.post("/v3/kv/put", body: putBody(key: "wide/\(c)/\(n)", value: value))) == 200 else { break }
                    n += 1
                }
                total.withLock { $0 += n }
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        group.wait()
        let elapsed = Date().timeIntervalSince(start)
        return Double(total.withLock { $0 }) / elapsed
    }
}
