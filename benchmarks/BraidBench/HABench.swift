import Domain
import Etcd
import EventLog
import Foundation
import HA
import Leader
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10's HA figures on a 3-member etcd on loopback (fsync on), each against its anchor in
/// the same run: durable appends through the fenced etcd log at 1/16/256 appenders (anchor: etcd's
/// own 256-client single-key puts), and failover after SIGKILL and after `operate-leader evict`
/// with real `braid master --etcd` processes (anchor: DM's 60 s session TTL).
enum HABench {
    static func append(scratch: String) async throws {
        print("== HA durable appends, 3-member etcd (fsync on) ==")
        let etcd = try await EtcdTrio.start(scratch: scratch)
        defer { etcd.stop() }
        let anchor = try EtcdComparison.etcdConcurrent(port: etcd.clientPorts[0], clients: 256, seconds: 3, value: EventLogBench.payload(0))
        print(String(format: "anchor: etcd 256 concurrent clients, single-key puts: %.0f puts/s", anchor))

        let dir = scratch + "/ha-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // As `braid master --etcd` opens it: etcd holds the durable copy.
        let mirror = try LMDBLog(path: dir, options: .init(syncMode: .noMetaSync))
        let client = try EtcdClient(endpoints: etcd.endpoints)
        let keys = EtcdKeys(cluster: "bench")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let elector = EtcdElector(client: client, keys: keys, member: MemberInfo(name: "bench", apiURL: "http://127.0.0.1:1"), logger: logger)
        let log = EtcdLog(
            mirror: mirror, mirrorDirectory: dir, client: client, keys: keys, logger: logger, pipelineDepth: Self.depth, onFenceLost: { _ in })
        print("pipeline depth \(Self.depth) (BENCH_HA_DEPTH)")
        let leadership = try await elector.campaign()
        try await log.takeOver(term: leadership.term, electionKey: elector.electionKey!)
        let host = EngineHost(log: log, warm: .init(), term: leadership.term, options: .init(snapshotEvery: 0))
        var at256 = 0.0
        for appenders in [1, 16, 256] {
            let seconds = 4.0
            let start = ContinuousClock.now
            let deadline = start + .seconds(seconds)
            let results = await withTaskGroup(of: (Int, [UInt64]).self) { group in
                for a in 0..<appenders {
                    group.addTask {
                        var n = 0
                        var mine: [UInt64] = []
                        while ContinuousClock.now < deadline {
                            let t0 = ContinuousClock.now
                            let event = Event.checkpoint(.reported(
                                task: TaskName("bench"), source: SourceID("s\(a)"),
                                position: BinlogPosition(file: "mysql-bin.000001", pos: UInt32(truncatingIfNeeded: n)), gtid: nil, at: 0))
                            guard (try? await host.execute(.record(event), now: 0)) != nil else { break }
                            mine.append(nanos(ContinuousClock.now - t0))
                            n += 1
                        }
                        return (n, mine)
                    }
                }
                var all: [(Int, [UInt64])] = []
                for await result in group { all.append(result) }
                return all
            }
            let elapsed = ContinuousClock.now - start
            let total = results.reduce(0) { $0 + $1.0 }
            let perSecond = rate(total, elapsed)
            if appenders == 256 { at256 = perSecond }
            print(String(format: "braid HA %3d appenders: %.0f events/s, commit latency ", appenders, perSecond)
                + Percentiles(results.flatMap(\.1)).summary)
        }
        print(String(format: "RATIO braid HA 256 appenders / etcd 256-client puts: %.1fx (target >= 3x and >= 20,000 events/s)", at256 / max(anchor, 1)))
        await elector.resign()
    }

    /// SIGKILL the leader `runs` times and evict it `runs` times; failover is measured from the
    /// signal to the new leader's `leader.elected` record (its first fenced append).
    static func failover(scratch: String, runs: Int = 20, ttl: String = "3s") async throws {
        print("== HA failover, 3 braid masters + 3-member etcd (fsync on), TTL \(ttl) ==")
        let braid = Self.braidBinary()
        let etcd = try await EtcdTrio.start(scratch: scratch)
        defer { etcd.stop() }
        let root = scratch + "/ha-failover-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ports = (0..<3).map { _ in UInt16.random(in: 20_000...29_999) }
        var masters: [Int: Process] = [:]
        func start(_ i: Int) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: braid)
            p.arguments = ["master", "--data-dir", "\(root)/m\(i)", "--listen", "127.0.0.1:\(ports[i])", "--name", "m\(i)",
                           "--etcd", etcd.endpoints.joined(separator: ","), "--election-ttl", ttl]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            masters[i] = p
        }
        defer { for p in masters.values where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
        for i in 0..<3 { try start(i) }
        let client = try EtcdClient(endpoints: etcd.endpoints)
        let keys = EtcdKeys(cluster: "braid")
        func leader() async -> (name: String, term: Int64)? {
            guard let top = try? await client.range(keys.electionPrefix, end: EtcdKeys.end(of: keys.electionPrefix), limit: 1, sortByCreate: true).items.first,
                  let info = MemberInfo.decode(top.bytes) else { return nil }
            return (info.name, top.createRevisionValue)
        }
        /// Polls etcd's election prefix and the new leader's mirror for its `leader.elected` time.
        func electedAt(after term: Int64, deadline: Duration) async throws -> (name: String, at: Int64)? {
            let end = ContinuousClock.now + deadline
            while ContinuousClock.now < end {
                if let l = await leader(), l.term > term, let i = Int(l.name.dropFirst()),
                   let at = Self.electedAt(root: "\(root)/m\(i)", member: l.name) {
                    return (l.name, at)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
        var current = try await electedAt(after: 0, deadline: .seconds(30))
        var crash: [UInt64] = []
        var graceful: [UInt64] = []
        for run in 0..<(2 * runs) {
            guard let now = current, let term = await leader()?.term, let i = Int(now.name.dropFirst()) else { break }
            // Let followers settle (campaigning with fresh leases) before the next fault.
            try await Task.sleep(for: .milliseconds(800))
            let kind = run < runs ? "kill" : "evict"
            let t0 = Int64(Date().timeIntervalSince1970 * 1000)
            if kind == "kill" {
                kill(masters[i]!.processIdentifier, SIGKILL)
                masters[i]!.waitUntilExit()
            } else {
                _ = try? Self.put(port: ports[i])
            }
            guard let next = try await electedAt(after: term, deadline: .seconds(30)) else {
                print("run \(run): no new leader within 30 s"); break
            }
            let ms = UInt64(max(0, next.at - t0))
            if kind == "kill" { crash.append(ms * 1_000_000) } else { graceful.append(ms * 1_000_000) }
            if kind == "kill" { try start(i) } else { _ = try? Self.put(port: ports[i], method: "DELETE") }
            current = next
        }
        func ms(_ p: Percentiles, _ q: Double) -> Double { p.at(q) / 1_000 }
        let c = Percentiles(crash), g = Percentiles(graceful)
        print(String(format: "failover after SIGKILL, %d runs: p50 %.0f ms, p99 %.0f ms, max %.0f ms (anchor: DM's session TTL 60,000 ms; target p50 < 3,500, p99 < 5,000)", crash.count, ms(c, 0.5), ms(c, 0.99), ms(c, 1)))
        print(String(format: "graceful handover (evict), %d runs: p50 %.0f ms, p99 %.0f ms, max %.0f ms (target p99 < 500)", graceful.count, ms(g, 0.5), ms(g, 0.99), ms(g, 1)))
    }

    /// The lock round trip of `control-plane-lock` with an embedded master, then with one HA master
    /// on a 3-member etcd, in the same run.
    static func lock(scratch: String) async throws {
        let embedded = try ControlPlaneBench.lockRoundTrip(scratch: scratch, sources: 16, rounds: 100)
        let etcd = try await EtcdTrio.start(scratch: scratch)
        defer { etcd.stop() }
        let ha = try ControlPlaneBench.lockRoundTrip(
            scratch: scratch, sources: 16, rounds: 100,
            extra: ["--etcd", etcd.endpoints.joined(separator: ","), "--name", "bench", "--etcd-pipeline-depth", "\(Self.depth)"])
        print(String(format: "RATIO HA / embedded lock round trip p50: %.2fx (target <= 1.5x)", ha / max(embedded, 0.001)))
    }

    /// The HA pipeline depth under test (`BENCH_HA_DEPTH`, default the master's default).
    static var depth: Int { Int(ProcessInfo.processInfo.environment["BENCH_HA_DEPTH"] ?? "") ?? EtcdLog.defaultPipelineDepth }

    static func put(port: UInt16, method: String = "PUT") throws -> Int {
        let client = try KeepAliveHTTPClient(port: port)
        return try client.request(method, "/api/v1/cluster/leader", body: "").status
    }

    /// The newest `leader.elected` time of `member` in a master's mirror (read with `braid log export`).
    static func electedAt(root: String, member: String) -> Int64? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.braidBinary())
        p.arguments = ["log", "export", "--jsonl", "--data-dir", root]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").reversed() where line.contains("\"leader.elected\"") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let event = object["event"] as? [String: Any], let elected = event["elected"] as? [String: Any],
                  elected["member"] as? String == member else { continue }
            return (elected["at"] as? NSNumber)?.int64Value
        }
        return nil
    }

    static func braidBinary() -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        return here + "/braid"
    }
}

/// Three etcd members on loopback with fsync on, stopped by PID.
final class EtcdTrio {
    let processes: [Process]
    let clientPorts: [UInt16]
    let directory: String
    var endpoints: [String] { self.clientPorts.map { "127.0.0.1:\($0)" } }

    init(processes: [Process], clientPorts: [UInt16], directory: String) {
        self.processes = processes
        self.clientPorts = clientPorts
        self.directory = directory
    }

    static func start(scratch: String) async throws -> EtcdTrio {
        let dir = scratch + "/bench-etcd3-\(UUID().uuidString.prefix(8))"
        let base = UInt16.random(in: 30_000...38_000)
        let clients = (0..<3).map { base + UInt16($0) }
        let peers = (0..<3).map { base + 100 + UInt16($0) }
        let initial = (0..<3).map { "b\($0)=http://127.0.0.1:\(peers[$0])" }.joined(separator: ",")
        var processes: [Process] = []
        for i in 0..<3 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
            p.arguments = [
                "--name", "b\(i)", "--data-dir", "\(dir)/b\(i)",
                "--listen-client-urls", "http://127.0.0.1:\(clients[i])", "--advertise-client-urls", "http://127.0.0.1:\(clients[i])",
                "--listen-peer-urls", "http://127.0.0.1:\(peers[i])", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peers[i])",
                "--initial-cluster", initial, "--initial-cluster-token", "bench-\(base)", "--initial-cluster-state", "new",
                "--listen-metrics-urls", "http://127.0.0.1:\(base + 200 + UInt16(i))",
            ]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            processes.append(p)
        }
        let trio = EtcdTrio(processes: processes, clientPorts: clients, directory: dir)
        let client = try EtcdClient(endpoints: trio.endpoints)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? await client.range("ready")) != nil { return trio }
            try await Task.sleep(for: .milliseconds(100))
        }
        trio.stop()
        throw KeepAliveHTTPClient.Failure.io("3-member etcd did not become ready")
    }

    func stop() {
        for p in self.processes where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: self.directory)
    }
}
