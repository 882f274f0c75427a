import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Issue 3 benchmarks against a real `braid master` process (release build) on loopback:
/// the shard-DDL lock round trip over HTTP with 16 sources, and 1,000 simulated workers keeping alive at 1/s.
enum ControlPlaneBench {
    /// Immutable after init; the Process is only signalled and waited on.
    final class MasterProcess: @unchecked Sendable {
        let process: Process
        let port: UInt16
        let dir: String

        /// - Parameter extra: e.g. `--etcd host:port,...` for an HA master (ready once it leads).
        init(scratch: String, ttlSeconds: Int = 10, extra: [String] = []) throws {
            self.port = UInt16.random(in: 40_000...49_999)
            self.dir = scratch + "/bench-master-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: self.dir, withIntermediateDirectories: true)
            let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("braid").path
            self.process = Process()
            self.process.executableURL = URL(fileURLWithPath: exe)
            self.process.arguments = ["master", "--data-dir", self.dir, "--listen", "127.0.0.1:\(self.port)",
                                      "--keepalive-ttl", "\(ttlSeconds)s", "--rate-limit", "1000000", "--rate-burst", "1000000"] + extra
            self.process.standardOutput = FileHandle.nullDevice
            self.process.standardError = FileHandle.nullDevice
            try self.process.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                // A leader-only path: an HA follower answers 307 or 503 until it leads.
                if let c = try? KeepAliveHTTPClient(port: self.port), (try? c.request("GET", "/api/v1/cluster/workers").status) == 200 { return }
                usleep(50_000)
            }
            self.stop()
            throw KeepAliveHTTPClient.Failure.io("master did not start on \(self.port)")
        }

        /// CPU seconds (user + system) the master has used so far, from /proc/<pid>/stat.
        var cpuSeconds: Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(self.process.processIdentifier)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return 0 }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
            return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        func stop() {
            kill(self.process.processIdentifier, SIGTERM)
            self.process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: self.dir)
        }
    }

    static func json(_ bytes: [UInt8]) -> Any? { try? JSONSerialization.jsonObject(with: Data(bytes)) }

    static func run(scratch: String) throws {
        try self.lockRoundTrip(scratch: scratch, sources: 16, rounds: 100)
        try self.keepalives(scratch: scratch, workers: 1_000, seconds: 20)
    }

    // MARK: - Lock round trip

    @discardableResult
    static func lockRoundTrip(scratch: String, sources count: Int, rounds: Int, extra: [String] = []) throws -> Double {
        print("== Shard-DDL lock round trip over HTTP, \(count) sources (last Info reported -> every operation done)\(extra.isEmpty ? "" : ", HA master on etcd") ==")
        let master = try MasterProcess(scratch: scratch, ttlSeconds: 60, extra: extra)
        defer { master.stop() }
        let admin = try KeepAliveHTTPClient(port: master.port)
        let workers = (1...count).map { "w\($0)" }
        let sources = (1...count).map { "s\($0)" }
        for (w, s) in zip(workers, sources) {
            let ok = try admin.request("POST", "/api/v1/worker-protocol/register", body: "{\"name\":\"\(w)\",\"address\":\"127.0.0.1:1\"}").status == 200
            precondition(ok)
            let alive = try admin.request("POST", "/api/v1/worker-protocol/\(w)/keepalive").status == 200
            precondition(alive)
            let created = try admin.request("POST", "/api/v1/sources", body: "{\"source_id\":\"\(s)\",\"from\":{\"host\":\"127.0.0.1\",\"port\":3306,\"user\":\"root\",\"password\":\"x\"}}")
            precondition(created.status == 201, "create source: \(created.status) \(String(decoding: created.body, as: UTF8.self))")
        }
        var yaml = "name: \"bench\"\ntask-mode: incremental\nshard-mode: pessimistic\ntarget-database:\n  host: \"127.0.0.1\"\n  port: 4000\n  user: \"root\"\nmysql-instances:\n"
        for s in sources { yaml += "  - source-id: \"\(s)\"\n" }
        let started = try admin.request("POST", "/api/v1/tasks", body: yaml, contentType: "application/yaml")
        precondition(started.status == 201, "start task: \(started.status) \(String(decoding: started.body, as: UTF8.self))")

        // One thread per simulated worker: long-poll watch, answer every not-done operation.
        let done = DoneCounter()
        let stop = Mutex(false)
        let group = DispatchGroup()
        for (w, s) in zip(workers, sources) {
            group.enter()
            let t = Thread {
                defer { group.leave() }
                guard let c = try? KeepAliveHTTPClient(port: master.port) else { return }
                var after: Int64 = 0
                var answered = Set<String>()
                while !stop.withLock({ $0 }) {
                    guard let r = try? c.request("GET", "/api/v1/worker-protocol/\(w)/watch?after=\(after)&timeout_ms=1000"), r.status == 200,
                          let view = json(r.body) as? [String: Any] else { continue }
                    after = (view["sequence"] as? NSNumber)?.int64Value ?? after
                    for op in (view["operations"] as? [[String: Any]]) ?? [] where (op["done"] as? Bool) == false {
                        let serial = (op["lock_serial"] as? NSNumber)?.int64Value ?? 0
                        let key = "\(op["lock_id"] ?? "")#\(serial)"
                        guard !answered.contains(key) else { continue }
                        answered.insert(key)
                        let body = "{\"mode\":\"pessimistic\",\"lock_id\":\(jsonString(op["lock_id"] as? String ?? "")),\"source\":\"\(s)\",\"lock_serial\":\(serial)}"
                        if (try? c.request("POST", "/api/v1/worker-protocol/\(w)/operation-done", body: body).status) == 200 {
                            done.increment()
                        }
                    }
                }
            }
            t.start()
        }

        var samples: [UInt64] = []
        let clock = ContinuousClock()
        let cpu0 = master.cpuSeconds
        for r in 0..<rounds {
            let before = done.value
            let ddl = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `c\(r)` INT"
            for s in sources.dropLast() {
                _ = try admin.request("POST", "/api/v1/worker-protocol/w\(s.dropFirst())/pessimistic-info",
                                      body: "{\"task\":\"bench\",\"source\":\"\(s)\",\"schema\":\"shardddl\",\"table\":\"tb\",\"ddls\":[\(jsonString(ddl))]}")
            }
            let t0 = clock.now
            let last = sources.last!
            _ = try admin.request("POST", "/api/v1/worker-protocol/w\(last.dropFirst())/pessimistic-info",
                                  body: "{\"task\":\"bench\",\"source\":\"\(last)\",\"schema\":\"shardddl\",\"table\":\"tb\",\"ddls\":[\(jsonString(ddl))]}")
            // Woken by each done (no busy polling: on two cores a polling loop steals CPU from the master).
            guard done.wait(atLeast: before + count, timeout: 30) else { fatalError("round \(r): operations not all done after 30 s") }
            samples.append(nanos(clock.now - t0))
        }
        let cpu = master.cpuSeconds - cpu0
        stop.withLock { $0 = true }
        group.wait()
        let p = Percentiles(samples)
        print(String(format: "%d rounds: p50 %.2f ms, p99 %.2f ms, max %.2f ms; master CPU %.1f ms per round", rounds,
                     p.at(0.5) / 1000, p.at(0.99) / 1000, p.at(1.0) / 1000, 1000 * cpu / Double(rounds)))
        return p.at(0.5)
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s]), as: UTF8.self).dropFirst().dropLast().description
    }

    // MARK: - Keepalives

    static func keepalives(scratch: String, workers count: Int, seconds: Int) throws {
        print("== \(count) simulated workers keeping alive at 1/s for \(seconds) s ==")
        let master = try MasterProcess(scratch: scratch, ttlSeconds: 10)
        defer { master.stop() }
        let names = (1...count).map { "sim\($0)" }
        let admin = try KeepAliveHTTPClient(port: master.port)
        for n in names {
            let ok = try admin.request("POST", "/api/v1/worker-protocol/register", body: "{\"name\":\"\(n)\",\"address\":\"127.0.0.1:1\"}").status == 200
            precondition(ok)
        }
        // 20 threads, 50 workers each; each worker keeps alive once a second, spread evenly.
        let threads = 20
        let per = count / threads
        let failures = Mutex(0)
        let sent = Mutex(0)
        let group = DispatchGroup()
        let start = Date()
        let cpu0 = master.cpuSeconds
        for t in 0..<threads {
            group.enter()
            let th = Thread {
                defer { group.leave() }
                guard let c = try? KeepAliveHTTPClient(port: master.port) else { return }
                for second in 0..<seconds {
                    for i in 0..<per {
                        let due = start.addingTimeInterval(Double(second) + Double(i) / Double(per))
                        let wait = due.timeIntervalSinceNow
                        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
                        let status = (try? c.request("POST", "/api/v1/worker-protocol/\(names[t * per + i])/keepalive").status) ?? 0
                        if status == 200 { sent.withLock { $0 += 1 } } else { failures.withLock { $0 += 1 } }
                    }
                }
            }
            th.start()
        }
        group.wait()
        let elapsed = Date().timeIntervalSince(start)
        let cpu = master.cpuSeconds - cpu0
        let workersJSON = json(try admin.request("GET", "/api/v1/cluster/workers").body) as? [[String: Any]] ?? []
        let offline = workersJSON.filter { ($0["stage"] as? String) == "offline" }.count
        print(String(format: "%d keepalives (%d failed) in %.1f s; master CPU %.2f s = %.1f%% of one core; workers offline at the end: %d of %d",
                     sent.withLock { $0 }, failures.withLock { $0 }, elapsed, cpu, 100 * cpu / elapsed, offline, workersJSON.count))
    }
}

/// Counts answered operations; the measuring thread sleeps until the count it waits for is reached.
final class DoneCounter: @unchecked Sendable {
    // Safe: `count` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var count = 0

    var value: Int {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.count
    }

    func increment() {
        self.condition.lock()
        self.count += 1
        self.condition.broadcast()
        self.condition.unlock()
    }

    /// - Returns: `false` when `timeout` seconds pass first.
    func wait(atLeast target: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.count < target {
            if !self.condition.wait(until: deadline) { return self.count >= target }
        }
        return true
    }
}
