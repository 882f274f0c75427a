import BraidTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 3 acceptance with real processes: one master, three workers, two sources, driven by `braid ctl`.
extension ClusterSuites {
@Suite struct ControlPlaneTests {
    @Test func schedulingLocksProtectionAndBadInputThroughCtl() async throws {
        let f = try ClusterFixture(label: "control")
        defer { f.cluster.stopAll() }
        try f.startMaster(ttl: "3s")
        for w in ["w1", "w2", "w3"] { try f.startWorker(w) }
        #expect(try await eventually { try await f.workers().count == 3 }, "workers did not register: \(f.cluster.log("master"))")

        // Sources: two bound, one worker free. Passwords never echo back.
        for s in ["s1", "s2"] {
            let out = try await f.ctl(["operate-source", "create", try f.writeSource(s, password: "pw-\(s)-SECRET")])
            #expect(out.status == 0, "\(out.text)")
        }
        #expect(try await eventually { try await f.workers().values.filter { $0.stage == "bound" }.count == 2 })
        let shown = try await f.ctl(["operate-source", "show"])
        #expect(shown.status == 0)
        #expect(!shown.text.contains("SECRET"))

        // A pessimistic task whose two subtasks report the same DDL: executed once, skipped once, resolved.
        let ddl = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT"
        for s in ["s1", "s2"] { try f.writePessimisticScript(task: "ptask", source: s, ddl: ddl) }
        let started = try await f.ctl(["start-task", try f.writeTask("ptask", mode: "pessimistic", sources: ["s1", "s2"])])
        #expect(started.status == 0, "\(started.text)")
        #expect(try await eventually {
            let all = f.records(task: "ptask", source: "s1") + f.records(task: "ptask", source: "s2")
            return all.filter { $0 == "exec" }.count == 1 && all.filter { $0 == "skip" }.count == 1
        }, "lock did not resolve: \(f.cluster.log("w1"))")
        #expect(try await eventually { try await f.locks().isEmpty })
        let status = try await f.ctl(["query-status", "ptask"])
        #expect(status.status == 0 && status.text.contains("s1") && status.text.contains("s2"))

        // The log tells the lock's story, and exports no password.
        let audit = try await f.cluster.run(["log", "audit", "lock", "ptask-`shardddl`.`tb`", "--data-dir", f.cluster.root + "/master"])
        #expect(audit.status == 0)
        #expect(audit.output.contains("pessimism.lockCreated") && audit.output.contains("pessimism.lockResolved"))
        #expect(audit.output.contains("pessimism.operationDone"))
        let export = try await f.cluster.run(["log", "export", "--jsonl", "--data-dir", f.cluster.root + "/master"])
        #expect(export.status == 0 && !export.output.contains("SECRET"))
        #expect(!f.cluster.log("master").contains("SECRET"))

        // Bad input: clear errors, non-zero exit, nothing changed.
        let bad = f.cluster.root + "/bad.yaml"
        try "from:\n  host: 127.0.0.1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let badOut = try await f.ctl(["operate-source", "create", bad])
        #expect(badOut.status != 0)
        #expect(badOut.text.contains("source-id"), "\(badOut.text)")
        let unknown = try await f.ctl(["query-status", "no-such-task"])
        #expect(unknown.status != 0 && unknown.text.contains("not_found"), "\(unknown.text)")
        let inUse = try await f.ctl(["operate-source", "stop", "s1"])
        #expect(inUse.status != 0 && inUse.text.contains("conflict"), "\(inUse.text)")

        // transfer-source moves a source with a running subtask to the free worker.
        let before = try await f.workers()
        let free = try #require(before.first { $0.value.stage == "free" }?.key)
        let transferred = try await f.ctl(["transfer-source", "s2", free])
        #expect(transferred.status == 0, "\(transferred.text)")
        #expect(try await eventually { try await f.workers()[free]?.source == "s2" })

        // SIGKILL the worker of s1: expired after the TTL, and s1 moves to the free worker.
        let s1Worker = try #require(try await f.workers().first { $0.value.source == "s1" }?.key)
        f.cluster.kill(s1Worker, signal: SIGKILL)
        #expect(try await eventually(timeout: .seconds(20)) {
            let now = try await f.workers()
            return now[s1Worker]?.stage == "offline" && now.contains { $0.value.source == "s1" && $0.key != s1Worker }
        }, "s1 was not rebound after the TTL")

        // SIGTERM: offline at once (well inside the 3 s TTL).
        let s2Worker = try #require(try await f.workers().first { $0.value.source == "s2" }?.key)
        let t0 = ContinuousClock.now
        f.cluster.kill(s2Worker, signal: SIGTERM)
        #expect(try await eventually(timeout: .seconds(10)) { try await f.workers()[s2Worker]?.stage == "offline" })
        #expect(ContinuousClock.now - t0 < .seconds(3), "graceful stop took as long as an expiry")
    }

    @Test func authTokenAndRateLimit() async throws {
        let f = try ClusterFixture(label: "protect")
        defer { f.cluster.stopAll() }
        let token = f.cluster.root + "/token"
        try "s3cr3t-token\n".write(toFile: token, atomically: true, encoding: .utf8)
        try f.startMaster(extra: ["--auth-token-file", token, "--rate-limit", "5", "--rate-burst", "5"])
        #expect(try await eventually { (try? await f.ctl(["list-member"], extra: ["--auth-token-file", token]).status) == 0 })
        let denied = try await f.ctl(["list-member"])
        #expect(denied.status != 0 && denied.text.contains("unauthorized"), "\(denied.text)")
        // Past the burst the master answers 429; ctl reports it as rate_limited.
        var limited = false
        for _ in 0..<30 where !limited {
            let out = try await f.ctl(["list-member"], extra: ["--auth-token-file", token])
            limited = out.status != 0 && out.text.contains("rate_limited")
        }
        #expect(limited)
    }

    /// SIGKILL the master in the middle of a pessimistic lock and a worker too; restart both. The rebuilt
    /// projection equals the one before the kill, the workers reconnect, and the lock finishes.
    @Test func masterAndWorkerKilledMidLockRecover() async throws {
        let f = try ClusterFixture(label: "recover")
        defer { f.cluster.stopAll() }
        try f.startMaster(ttl: "5s")
        for w in ["w1", "w2"] { try f.startWorker(w) }
        #expect(try await eventually { try await f.workers().count == 2 })
        for s in ["s1", "s2"] {
            #expect(try await f.ctl(["operate-source", "create", try f.writeSource(s, password: "x")]).status == 0)
        }
        #expect(try await eventually { try await f.workers().values.filter { $0.stage == "bound" }.count == 2 })
        let ddl = "ALTER TABLE `shardddl`.`tb` ADD COLUMN `c1` INT"
        try f.writePessimisticScript(task: "rtask", source: "s1", ddl: ddl)
        try f.writePessimisticScript(task: "rtask", source: "s2", ddl: nil)
        #expect(try await f.ctl(["start-task", try f.writeTask("rtask", mode: "pessimistic", sources: ["s1", "s2"])]).status == 0)
        // Mid-lock: s1 has reported, s2 has not.
        #expect(try await eventually { (try await f.locks().first?["unsynced"] as? [String]) == ["s2"] })

        // The live projection before the kill equals the one the restarted master rebuilds at the same
        // sequence: compared by the digest of the canonical binary encoding (JSON map order is per process).
        let live = try await f.masterState()
        let liveSeq = try #require(live["lastSequence"] as? Int)
        let liveDigest = try #require(live["digest"] as? String)

        f.cluster.kill("master", signal: SIGKILL)
        try f.startMaster(ttl: "5s")
        #expect(try await eventually { try await f.workers().values.filter { $0.stage == "bound" }.count == 2 },
                "workers did not reconnect: \(f.cluster.log("w1"))")
        let rebuilt = try await f.masterState(seq: liveSeq)
        #expect(rebuilt["digest"] as? String == liveDigest, "the state rebuilt at \(liveSeq) differs from the live one before the kill")
        #expect(try await f.replayedState(until: liveSeq, digest: true)["digest"] as? String == liveDigest)
        #expect(try await f.locks().count == 1)

        // Now s2 reaches the DDL: its worker is SIGKILLed and restarted with the DDL in its script.
        try f.writePessimisticScript(task: "rtask", source: "s2", ddl: ddl)
        let s2Worker = try #require(try await f.workers().first { $0.value.source == "s2" }?.key)
        f.cluster.kill(s2Worker, signal: SIGKILL)
        try f.startWorker(s2Worker)
        #expect(try await eventually(timeout: .seconds(40)) { try await f.locks().isEmpty }, "lock did not finish: \(f.cluster.log("master"))")
        let all = f.records(task: "rtask", source: "s1") + f.records(task: "rtask", source: "s2")
        #expect(all.filter { $0 == "exec" }.count == 1, "\(all)")
        let verify = try await f.cluster.run(["log", "verify", "--data-dir", f.cluster.root + "/master"])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
}
