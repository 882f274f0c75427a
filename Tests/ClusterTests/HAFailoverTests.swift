import BraidTestSupport
import Etcd
import Foundation
import HA
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10 with real processes: a 3-member etcd, three `braid master --etcd` and scripted workers
/// on 127.0.0.1. The leader is killed or paused mid-lock; a new one takes over within the TTL plus
/// 1.5 s, the lock finishes, and every master's mirror ends identical.
extension ClusterSuites {
@Suite struct HAFailoverTests {
    /// Three HA masters plus the fixture's workers and scripts; `--master` lists all three.
    final class HACluster {
        let f: ClusterFixture
        let etcd: EtcdCluster
        let ports: [UInt16]
        let ttl = "2s"
        /// `--etcd-compact-interval`: the snapshot, truncation and compaction cycle.
        let maintenance: String

        /// `--snapshot-every`: the leader's and every follower's snapshot cadence.
        let snapshotEvery: Int

        init(label: String, etcd: EtcdCluster, maintenance: String = "5m", snapshotEvery: Int = 10_000) throws {
            self.f = try ClusterFixture(label: label)
            self.etcd = etcd
            self.maintenance = maintenance
            self.snapshotEvery = snapshotEvery
            self.ports = (0..<3).map { _ in ProcessCluster.freePort() }
            self.f.masterList = self.ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        }

        func startMaster(_ i: Int) throws {
            try self.f.cluster.start("m\(i)", [
                "master", "--data-dir", self.dataDir(i), "--listen", "127.0.0.1:\(self.ports[i - 1])", "--name", "m\(i)",
                "--etcd", self.etcd.endpoints.joined(separator: ","), "--election-ttl", self.ttl,
                "--keepalive-ttl", "6s", "--tick-interval", "200ms", "--etcd-compact-interval", self.maintenance, "--snapshot-every", "\(self.snapshotEvery)",
            ])
        }

        func dataDir(_ i: Int) -> String { self.f.cluster.root + "/m\(i)" }

        /// `list-member --master` through any live master: name → (leader, term).
        func masters() async throws -> [String: (leader: Bool, term: Int)] {
            let members = try await self.f.ctl(["list-member", "--master"]).json["members"] as? [[String: Any]] ?? []
            var out: [String: (Bool, Int)] = [:]
            for m in members {
                guard let master = m["master"] as? [String: Any], let list = master["masters"] as? [[String: Any]] else { continue }
                for entry in list {
                    out[entry["name"] as? String ?? ""] = (entry["leader"] as? Bool ?? false, entry["term"] as? Int ?? 0)
                }
            }
            return out
        }

        func leader() async throws -> String? {
            try await self.masters().first { $0.value.leader }?.key
        }

        /// `braid log export` of one master's mirror, one JSON object per record.
        func export(_ i: Int) async throws -> [String] {
            let out = try await self.f.cluster.run(["log", "export", "--jsonl", "--data-dir", self.dataDir(i)])
            return out.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
        }

        /// Starts the three masters, two scripted workers and two bound sources.
        func startAll() async throws {
            for i in 1...3 { try self.startMaster(i) }
            #expect(try await eventually { try await self.leader() != nil }, "no leader: \(self.f.cluster.log("m1"))")
            for w in ["w1", "w2"] { try self.f.startWorker(w) }
            #expect(try await eventually { try await self.f.workers().count == 2 }, "workers did not register: \(self.f.cluster.log("w1").suffix(2000))")
            for s in ["s1", "s2"] {
                let out = try await self.f.ctl(["operate-source", "create", try self.f.writeSource(s, password: "pw")])
                #expect(out.status == 0, "\(out.text)")
            }
            #expect(try await eventually { try await self.f.workers().values.filter { $0.stage == "bound" }.count == 2 })
        }

        /// Every mirror holds the same records (the stopped ones restarted first), terms never
        /// decrease, and `braid log verify` passes on each.
        func expectIdenticalMirrors() async throws {
            // `log verify` prints the range and a digest of the raw records (JSON export orders sets per process).
            var digests: [String] = []
            #expect(try await eventually(timeout: .seconds(20)) {
                digests = try await self.f.cluster.mirrorDigests(dataDirs: (1...3).map(self.dataDir)) ?? []
                return digests.count == 3 && digests.allSatisfy { $0 == digests[0] }
            }, "mirrors differ: \(digests)")
            let terms = try await self.export(1).compactMap { (Self.field($0, "term") as? NSNumber)?.intValue }
            #expect(zip(terms, terms.dropFirst()).allSatisfy { $0 <= $1 }, "terms decrease along the log")
        }

        /// Waits for a leader other than `old` and returns it.
        func newLeader(after old: String, timeout: Duration = .seconds(15)) async throws -> String {
            var found: String?
            #expect(try await eventually(timeout: timeout) {
                found = try await self.leader()
                return found != nil && found != old
            }, "no new leader after \(old)")
            return try #require(found)
        }

        func address(of name: String) -> String { "127.0.0.1:\(self.ports[Int(name.dropFirst())! - 1])" }

        static func field(_ line: String, _ key: String) -> Any? {
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?[key]
        }

        /// When `member` says it was elected (its `leader.elected` event), Unix ms.
        static func electedAt(_ lines: [String], member: String) -> Int64? {
            for line in lines.reversed() where line.contains("\"leader.elected\"") {
                guard let event = Self.field(line, "event") as? [String: Any],
                      let elected = event["elected"] as? [String: Any], elected["member"] as? String == member
                else { continue }
                return (elected["at"] as? NSNumber)?.int64Value
            }
            return nil
        }
    }

    @Test func leaderKilledMidLockFailsOverAndTheLockFinishesOnce() async throws {
        try await withEtcdCluster { etcd in
            let ha = try HACluster(label: "ha-kill", etcd: etcd)
            let f = ha.f
            defer { f.cluster.stopAll() }
            try await ha.startAll()

            // s1 reports the DDL at once; s2 waits at a gate, so the lock is in flight when the leader dies.
            let ddl = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `c1` INT"
            try f.writePessimisticScript(task: "t", source: "s1", ddl: ddl)
            let gated: [[String: Any]] = [
                ["kind": "gate", "name": "g1"],
                ["kind": "ddl", "mode": "pessimistic", "schema": "shardddl", "table": "tb", "ddls": [ddl]],
                ["kind": "checkpoint", "binlog_name": "mysql-bin.000001", "binlog_pos": 400],
            ]
            try JSONSerialization.data(withJSONObject: ["steps": gated]).write(to: URL(fileURLWithPath: f.scripts + "/t-s2.json"))
            let started = try await f.ctl(["start-task", try f.writeTask("t", mode: "pessimistic", sources: ["s1", "s2"])])
            #expect(started.status == 0, "\(started.text)")
            #expect(try await eventually { try await f.locks().count == 1 }, "no lock in flight")

            let old = try #require(try await ha.leader())
            let oldTerm = try await ha.masters()[old]?.term ?? 0
            let killedAt = Int64(Date().timeIntervalSince1970 * 1000)
            f.cluster.kill(old, signal: SIGKILL)

            let leader = try await ha.newLeader(after: old)
            let index = Int(leader.dropFirst())!
            // list-member names the leader once it holds the election key; its first append may
            // still be on its way into its mirror.
            var elected: Int64?
            #expect(try await eventually(timeout: .seconds(10)) {
                elected = HACluster.electedAt(try await ha.export(index), member: leader)
                return elected != nil
            }, "no leader.elected from \(leader)")
            let electedAt = try #require(elected)
            let failover = electedAt - killedAt
            #expect(failover < 2_000 + 1_500, "failover took \(failover) ms (TTL 2 s + 1.5 s allowed)")
            #expect(try await ha.masters()[leader]!.term > oldTerm, "terms never decrease")

            // The new leader's query-status knows both subtasks at once, though neither has changed
            // since the kill (s1 waits on the lock, s2 at its gate): workers re-send their last status
            // to a new term's leader.
            var stages: [String: String] = [:]
            #expect(try await eventually(timeout: .seconds(10)) {
                let status = try await f.ctl(["query-status", "t"]).json["status"] as? [String: Any]
                stages = [:]
                for entry in status?["subtasks"] as? [[String: Any]] ?? [] {
                    if let source = entry["source"] as? String, let stage = (entry["status"] as? [String: Any])?["stage"] as? String {
                        stages[source] = stage
                    }
                }
                return stages.count == 2
            }, "query-status through the new leader: \(stages)")

            // The lock finishes through the new leader: executed once, skipped once.
            FileManager.default.createFile(atPath: f.scripts + "/g1.gate", contents: nil)
            #expect(try await eventually(timeout: .seconds(30)) {
                let all = f.records(task: "t", source: "s1") + f.records(task: "t", source: "s2")
                return all.filter { $0 == "exec" }.count == 1 && all.filter { $0 == "skip" }.count == 1
            }, "lock did not finish: \(f.cluster.log("w2"))")
            #expect(try await eventually { try await f.locks().isEmpty })

            // The killed master comes back as a follower and catches up; every mirror is identical.
            try ha.startMaster(Int(old.dropFirst())!)
            try await ha.expectIdenticalMirrors()
            // A follower answers /metrics itself: not leading, and how far its mirror got.
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://\(ha.address(of: old))/metrics")!)
            let metrics = String(decoding: data, as: UTF8.self)
            #expect(metrics.contains("braid_master_leader 0") && metrics.contains("braid_master_mirror_last_sequence "), "\(metrics)")
            // It answers the log reads from its mirror too (not a 307 to the leader), in the leader's shapes.
            let page = try await PlainHTTP.get("http://\(ha.address(of: old))/api/v1/log?from=1&limit=3")
            #expect(page.status == 200, "\(page)")
            let records = (try? JSONSerialization.jsonObject(with: Data(page.body.utf8))) as? [[String: Any]] ?? []
            #expect(records.compactMap { ($0["seq"] as? NSNumber)?.intValue } == [1, 2, 3], "\(page.body.prefix(500))")
            let state = try await PlainHTTP.get("http://\(ha.address(of: old))/api/v1/log/state?seq=2")
            #expect(state.status == 200 && state.body.contains("\"digest\""), "\(state)")
            let bad = try await PlainHTTP.get("http://\(ha.address(of: old))/api/v1/log?from=0")
            #expect(bad.status == 400 && bad.body.contains("from"), "\(bad)")
            let spec = try await PlainHTTP.get("http://\(ha.address(of: old))/api/v1/openapi.yaml")
            #expect(spec.status == 200 && spec.body.contains("openapi:"), "a follower serves the API document: \(spec.status)")
            let elsewhere = try await PlainHTTP.get("http://\(ha.address(of: old))/api/v1/cluster/workers")
            #expect(elsewhere.status == 307, "other calls still go to the leader: \(elsewhere)")
        }
    }

    @Test func evictHandsLeadershipOverAndCancelEvictLetsTheMemberCampaignAgain() async throws {
        try await withEtcdCluster { etcd in
            let ha = try HACluster(label: "ha-evict", etcd: etcd)
            let f = ha.f
            defer { f.cluster.stopAll() }
            try await ha.startAll()
            let old = try #require(try await ha.leader())
            let evictedAt = Int64(Date().timeIntervalSince1970 * 1000)
            let out = try await f.ctl(["operate-leader", "evict"], extra: ["--master", ha.address(of: old)])
            #expect(out.status == 0, "\(out.text)")
            let leader = try await ha.newLeader(after: old, timeout: .seconds(5))
            var elected: Int64?
            #expect(try await eventually(timeout: .seconds(10)) {
                elected = HACluster.electedAt(try await ha.export(Int(leader.dropFirst())!), member: leader)
                return elected != nil
            }, "no leader.elected from \(leader)")
            let electedAt = try #require(elected)
            #expect(electedAt - evictedAt < 1_000, "graceful handover took \(electedAt - evictedAt) ms")
            // The evicted member stays a follower and still answers (307 or local reads).
            #expect(try await ha.masters()[old]?.leader == false)
            let again = try await f.ctl(["operate-leader", "cancel-evict"], extra: ["--master", ha.address(of: old)])
            #expect(again.status == 0, "\(again.text)")
            // Evicting the new leader now can hand leadership back to the old one.
            _ = try await f.ctl(["operate-leader", "evict"], extra: ["--master", ha.address(of: leader)])
            let third = try await ha.newLeader(after: leader, timeout: .seconds(5))
            #expect(third != leader)

            // SIGTERM of the leader: it resigns and exits (DM's graceful stop), and another leads at once.
            let process = try #require(f.cluster.process(third))
            Glibc.kill(process.processIdentifier, SIGTERM)
            #expect(try await eventually(timeout: .seconds(15)) { !process.isRunning }, "the leader did not exit on SIGTERM")
            let fourth = try await ha.newLeader(after: third, timeout: .seconds(5))
            try ha.startMaster(Int(third.dropFirst())!)
            #expect(try await ha.masters()[fourth]?.leader == true)
            try await ha.expectIdenticalMirrors()
        }
    }

    @Test func aPausedLeaderIsFencedAndRejoinsAsFollower() async throws {
        try await withEtcdCluster { etcd in
            let ha = try HACluster(label: "ha-stop", etcd: etcd)
            let f = ha.f
            defer { f.cluster.stopAll() }
            try await ha.startAll()
            let old = try #require(try await ha.leader())
            let pid = try #require(f.cluster.process(old)?.processIdentifier)
            Glibc.kill(pid, SIGSTOP)
            let leader = try await ha.newLeader(after: old)
            // Work goes on through the new leader while the old one is frozen.
            let out = try await f.ctl(["operate-source", "create", try f.writeSource("s3", password: "pw")])
            #expect(out.status == 0, "\(out.text)")
            Glibc.kill(pid, SIGCONT)
            // The zombie finds its lease gone, steps down and follows: one leader, the new one.
            #expect(try await eventually(timeout: .seconds(10)) {
                let masters = try await ha.masters()
                return masters.count == 3 && masters.filter(\.value.leader).map(\.key) == [leader]
            }, "the paused leader did not rejoin as follower: \(f.cluster.log(old).suffix(3000))")
            #expect(f.cluster.log(old).contains("stepping down"), "the zombie never noticed it lost leadership")
            try await ha.expectIdenticalMirrors()
        }
    }

    /// A master that was away while the leader snapshotted into etcd and deleted the chunks it
    /// still needed installs the snapshot on return, mirrors the rest, and can lead from it.
    @Test func aMasterBackAfterTruncationInstallsTheSnapshotAndCanLead() async throws {
        try await withEtcdCluster { etcd in
            let ha = try HACluster(label: "ha-install", etcd: etcd, maintenance: "1s", snapshotEvery: 4)
            let f = ha.f
            defer { f.cluster.stopAll() }
            try await ha.startAll()
            let leader = try #require(try await ha.leader())
            let away = try #require(["m1", "m2", "m3"].first { $0 != leader })
            let other = try #require(["m1", "m2", "m3"].first { $0 != leader && $0 != away })
            // dmctl's offline-member --master: refused while the master is alive, confirmed once it stopped.
            let alive = try await f.ctl(["offline-member", "--master", "--name", away])
            #expect(alive.status != 0 && alive.text.contains("alive"), "\(alive.text)")
            let process = try #require(f.cluster.process(away))
            Glibc.kill(process.processIdentifier, SIGTERM)
            #expect(try await eventually(timeout: .seconds(15)) { !process.isRunning })
            #expect(try await eventually(timeout: .seconds(10)) {
                try await f.ctl(["offline-member", "--master", "--name", away]).status == 0
            }, "a stopped master is not confirmed gone")
            let verify = try await f.cluster.run(["log", "verify", "--data-dir", ha.dataDir(Int(away.dropFirst())!)])
            let awayLast = try #require(ProcessCluster.digestLine(verify.output).flatMap { line in
                UInt64(line.split(separator: " ")[1].split(separator: ",")[0].components(separatedBy: "...")[1])
            }, "\(verify.output)")

            // While it is away the log moves on (a source, two handovers), and the leader's cycle
            // deletes every chunk up to its snapshot.
            let out = try await f.ctl(["operate-source", "create", try f.writeSource("s3", password: "pw")])
            #expect(out.status == 0, "\(out.text)")
            var current = leader
            for _ in 0..<2 {
                _ = try await f.ctl(["operate-leader", "evict"], extra: ["--master", ha.address(of: current)])
                let next = try await ha.newLeader(after: current, timeout: .seconds(5))
                #expect(next == (current == leader ? other : leader))
                _ = try await f.ctl(["operate-leader", "cancel-evict"], extra: ["--master", ha.address(of: current)])
                current = next
            }
            let client = try EtcdClient(endpoints: etcd.endpoints)
            let keys = EtcdKeys(cluster: "braid")
            var firstChunk: UInt64 = 0
            #expect(try await eventually(timeout: .seconds(20)) {
                let key = try await client.range(keys.chunkPrefix, end: EtcdKeys.end(of: keys.chunkPrefix), limit: 1).items.first?.keyString ?? ""
                firstChunk = UInt64(key.suffix(16), radix: 16) ?? 0
                return firstChunk > awayLast + 1
            }, "etcd still holds chunk \(firstChunk), the stopped mirror ends at \(awayLast)")

            // Back: it installs the snapshot and catches up; the mirrors agree over what they share.
            try ha.startMaster(Int(away.dropFirst())!)
            #expect(try await eventually(timeout: .seconds(15)) { f.cluster.log(away).contains("mirror installed etcd's snapshot") },
                    "\(f.cluster.log(away).suffix(3000))")
            try await ha.expectIdenticalMirrors()

            // It leads from the installed state: the others step aside, and the cluster it serves
            // knows every worker and source from before the snapshot.
            for name in ["m1", "m2", "m3"] where name != away {
                _ = try await f.ctl(["operate-leader", "evict"], extra: ["--master", ha.address(of: name)])
            }
            #expect(try await eventually(timeout: .seconds(15)) { try await ha.leader() == away }, "\(f.cluster.log(away).suffix(3000))")
            #expect(try await eventually { try await f.workers().values.filter { $0.stage == "bound" }.count == 2 },
                    "\(f.cluster.log(away).suffix(4000))")
            let more = try await f.ctl(["operate-source", "create", try f.writeSource("s4", password: "pw")])
            #expect(more.status == 0, "\(more.text)")
            let again = try await f.ctl(["operate-source", "create", try f.writeSource("s3", password: "pw")])
            #expect(again.status != 0, "s3, created before the snapshot, is known to the new leader: \(again.text)")
            try await ha.expectIdenticalMirrors()
            // Followers snapshot their warm fold too (every 4 events here): a follower's own mirror
            // gains snapshots while it follows.
            let follower = try #require(["m1", "m2", "m3"].first { $0 != away })
            func snapshots() async throws -> Int? {
                let report = try await f.cluster.run(["log", "verify", "--data-dir", ha.dataDir(Int(follower.dropFirst())!)])
                guard let line = report.output.split(separator: "\n").first(where: { $0.contains("snapshots match the fold") }) else { return nil }
                return line.components(separatedBy: "; ").last.flatMap { Int($0.split(separator: " ")[0]) }
            }
            let before = try #require(try await snapshots())
            for s in ["s5", "s6"] {
                let created = try await f.ctl(["operate-source", "create", try f.writeSource(s, password: "pw")])
                #expect(created.status == 0, "\(created.text)")
            }
            var after: Int?
            #expect(try await eventually(timeout: .seconds(10)) {
                after = try await snapshots()
                return (after ?? 0) > before
            }, "follower \(follower) took no snapshot: \(before) then \(String(describing: after))")
        }
    }
}
}

extension ClusterSuites.HAFailoverTests {
    /// etcd unreachable at start: the master exits at once with an error naming etcd, not a hang.
    @Test func aMasterWhoseEtcdIsUnreachableRefusesToStartNamingIt() async throws {
        let cluster = try ProcessCluster(label: "ha-noetcd")
        defer { cluster.stopAll() }
        let dead = "127.0.0.1:\(ProcessCluster.freePort())"
        let out = try await cluster.run([
            "master", "--data-dir", cluster.root + "/m", "--listen", "127.0.0.1:\(ProcessCluster.freePort())", "--etcd", dead,
        ])
        #expect(out.status != 0)
        #expect(out.output.contains("etcd") && out.output.contains(dead) && out.output.contains("connection refused"), "\(out.output)")
    }
}
