import BraidTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 3 acceptance, optimistic mode, with real processes: the scripted workers report Infos with
/// their table schemas before and after each DDL over the worker protocol, and the test drives and
/// checks the locks through `braid ctl` and `braid log`.
///
/// An extension of `ControlPlaneTests`, so it is serialized with the other cluster tests: their `braid ctl`
/// calls block a thread of the shared concurrency pool while the child runs, and two cluster suites in
/// parallel would hold both threads of a two-core machine, starving the timing-sensitive suites.
extension ClusterSuites.ControlPlaneTests {
    static let lock = "otask-`shardddl`.`tb`"
    static let s1Table = "s1-`shardddl1`.`tb1`"
    static let s2Table = "s2-`shardddl1`.`tb1`"

    /// Three optimistic locks on one downstream table, each through a different path of the protocol:
    /// an ADD COLUMN on both sources (executed, then resolved), a RENAME on both (the first source skips
    /// and waits, the second resolves the conflict and redirects it), and a type change on one source
    /// only (stuck until the operator unlocks it with `--action skip`).
    @Test func optimisticLocksThroughCtlAndLog() async throws {
        let f = try ClusterFixture(label: "optimistic")
        defer { f.cluster.stopAll() }
        try f.startMaster(ttl: "3s")
        for w in ["w1", "w2", "w3"] { try f.startWorker(w) }
        #expect(try await eventually { try await f.workers().count == 3 }, "workers did not register: \(f.cluster.log("master"))")
        for s in ["s1", "s2"] {
            #expect(try await f.ctl(["operate-source", "create", try f.writeSource(s, password: "x")]).status == 0)
        }
        #expect(try await eventually { try await f.workers().values.filter { $0.stage == "bound" }.count == 2 })

        let add = "ALTER TABLE `shardddl1`.`tb1` ADD COLUMN `c1` INT"
        let rename = "ALTER TABLE `shardddl1`.`tb1` CHANGE COLUMN `c1` `c2` INT"
        let retype = "ALTER TABLE `shardddl1`.`tb1` MODIFY COLUMN `c2` VARCHAR(10)"
        var s1 = try f.optimisticScript()
        try s1.sourceTables()
        s1.gate("s1-add")
        try s1.ddl(add)
        s1.gate("s1-rename")
        try s1.ddl(rename)
        s1.gate("s1-retype")
        try s1.ddl(retype)
        s1.checkpoint(900)
        try f.write(s1, task: "otask", source: "s1")
        var s2 = try f.optimisticScript()
        try s2.sourceTables()
        s2.gate("s2-add")
        try s2.ddl(add)
        s2.gate("s2-rename")
        try s2.ddl(rename)
        s2.checkpoint(900)
        try f.write(s2, task: "otask", source: "s2")

        let started = try await f.ctl(["start-task", try f.writeTask("otask", mode: "optimistic", sources: ["s1", "s2"])])
        #expect(started.status == 0, "\(started.text)")
        #expect(try await eventually {
            f.records(task: "otask", source: "s1").contains("source_tables") && f.records(task: "otask", source: "s2").contains("source_tables")
        }, "source tables not reported: \(f.cluster.log("master"))")

        // The worker serves its own status on --listen: its source and the subtask the master asked for.
        let s1Worker = try #require(try await f.workers().first { $0.value.source == "s1" }?.key)
        var lastStatus = ""
        #expect(try await eventually {
            let (code, body) = try await f.workerHTTP(s1Worker, "/status")
            lastStatus = body
            let status = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
            let subtasks = status["subtasks"] as? [[String: Any]] ?? []
            return code == 200 && status["name"] as? String == s1Worker && status["source"] as? String == "s1"
                && subtasks.count == 1 && subtasks.first?["task"] as? String == "otask" && subtasks.first?["stage"] as? String == "Running"
        }, "worker status: \(lastStatus)")
        let metrics = try await f.workerHTTP(s1Worker, "/metrics")
        #expect(metrics.status == 200 && metrics.body.contains("braid_worker_bound 1"), "\(metrics.body)")

        // Lock 1, ADD COLUMN: s1 executes at once (the join grew); the lock waits for s2.
        try f.open(gate: "s1-add")
        #expect(try await eventually { try await f.lockTables(Self.lock)?[Self.s1Table]?.done == true }, "\(f.cluster.log("master"))")
        let waiting = try #require(try await f.lockTables(Self.lock))
        #expect(waiting[Self.s1Table]?.synced == true, "\(waiting)")
        #expect(waiting[Self.s2Table]?.synced == false, "\(waiting)")
        let listed = try #require(try await f.locks().first)
        #expect(listed["mode"] as? String == "optimistic")
        #expect((listed["ddls"] as? [String]) == [add])
        let s1Exec = try #require(f.recordObjects(task: "otask", source: "s1").first { $0["event"] as? String == "exec" })
        #expect((s1Exec["ddls"] as? [String]) == [add])
        #expect(s1Exec["lockID"] as? String == Self.lock)
        try f.open(gate: "s2-add")
        #expect(try await eventually { try await f.locks().isEmpty }, "lock 1 did not resolve: \(f.cluster.log("master"))")

        // Lock 2, RENAME: incomparable, so s1 skips and waits for a redirect; s2's rename resolves it.
        try f.open(gate: "s1-rename")
        #expect(try await eventually { try await f.lockTables(Self.lock)?[Self.s1Table]?.stage == "skip and wait for redirect" })
        #expect(!f.records(task: "otask", source: "s1").contains("skip"), "a skipped-and-waiting table reported done")
        try f.open(gate: "s2-rename")
        #expect(try await eventually { try await f.locks().isEmpty }, "lock 2 did not resolve: \(f.cluster.log("master"))")
        // s2 executes the rename; s1, redirected, replays its skipped DDL (re-reports the Info) and gets its
        // operation only then.
        let renamed = { (source: String) in
            f.recordObjects(task: "otask", source: source)
                .filter { $0["event"] as? String == "exec" && ($0["ddls"] as? [String])?.contains(rename) == true }
        }
        #expect(renamed("s2").count == 1 && renamed("s1").count == 1, "s1 \(renamed("s1")), s2 \(renamed("s2"))")
        let audit2 = try await f.cluster.run(["log", "audit", "lock", Self.lock, "--data-dir", f.cluster.root + "/master"]).output
        let s1RenameInfos = audit2.components(separatedBy: "\n")
            .filter { $0.contains("optimism.infoReported") && $0.contains("CHANGE COLUMN") && $0.contains("\"source\":\"s1\"") }
        #expect(s1RenameInfos.count == 2, "s1 did not replay its Info after the redirect: \(s1RenameInfos.count)")

        // Lock 3, a type change only s1 makes: stuck until the operator skips it.
        try f.open(gate: "s1-retype")
        #expect(try await eventually { try await f.lockTables(Self.lock)?[Self.s1Table]?.stage == "skip and wait for redirect" })
        let badUnlock = try await f.ctl(["shard-ddl-lock", "unlock", Self.lock, "-a", "skip"])
        #expect(badUnlock.status != 0 && badUnlock.text.contains("source"), "\(badUnlock.text)")
        let unlocked = try await f.ctl(["shard-ddl-lock", "unlock", Self.lock, "-s", "s1", "-d", "shardddl1", "-t", "tb1", "-a", "skip"])
        #expect(unlocked.status == 0, "\(unlocked.text)")
        #expect(try await eventually { try await f.locks().isEmpty }, "lock 3 did not resolve: \(f.cluster.log("master"))")
        #expect(try await eventually { f.records(task: "otask", source: "s1").last == "finished" })
        let s1Last = try #require(f.recordObjects(task: "otask", source: "s1").last { $0["event"] as? String == "skip" })
        #expect(s1Last["detail"] as? String == "unlocked", "\(s1Last)")

        let status = try await f.ctl(["query-status", "otask"])
        #expect(status.status == 0 && status.text.contains("s1") && status.text.contains("s2"), "\(status.text)")

        // The log tells each lock's story.
        let audit = try await f.cluster.run(["log", "audit", "lock", Self.lock, "--data-dir", f.cluster.root + "/master"])
        #expect(audit.status == 0)
        for event in ["optimism.lockCreated", "optimism.operationIssued", "optimism.operationDone", "optimism.conflictsResolved",
                      "optimism.operatorUnlocked", "optimism.lockResolved"] {
            #expect(audit.output.contains(event), "audit lacks \(event)")
        }
        #expect(!audit.output.contains("Rejected"), "\(audit.output)")
        let state = try await f.replayedState()
        #expect(((state["optimism"] as? [String: Any])?["locks"] as? [Any])?.isEmpty ?? true)
        let verify = try await f.cluster.run(["log", "verify", "--data-dir", f.cluster.root + "/master"])
        #expect(verify.status == 0, "\(verify.output)")
    }

    /// SIGKILL the master in the middle of an optimistic lock and restart it: the projection rebuilt at
    /// the pre-kill sequence equals the one before the kill, the workers reconnect, and the lock finishes.
    @Test func masterKilledMidOptimisticLockRecovers() async throws {
        let f = try ClusterFixture(label: "orecover")
        defer { f.cluster.stopAll() }
        try f.startMaster(ttl: "5s")
        for w in ["w1", "w2"] { try f.startWorker(w) }
        #expect(try await eventually { try await f.workers().count == 2 })
        for s in ["s1", "s2"] {
            #expect(try await f.ctl(["operate-source", "create", try f.writeSource(s, password: "x")]).status == 0)
        }
        #expect(try await eventually { try await f.workers().values.filter { $0.stage == "bound" }.count == 2 })
        let add = "ALTER TABLE `shardddl1`.`tb1` ADD COLUMN `c1` INT"
        for source in ["s1", "s2"] {
            var script = try f.optimisticScript()
            try script.sourceTables()
            script.gate("\(source)-add")
            try script.ddl(add)
            script.checkpoint(500)
            try f.write(script, task: "otask", source: source)
        }
        #expect(try await f.ctl(["start-task", try f.writeTask("otask", mode: "optimistic", sources: ["s1", "s2"])]).status == 0)
        #expect(try await eventually {
            f.records(task: "otask", source: "s1").contains("source_tables") && f.records(task: "otask", source: "s2").contains("source_tables")
        })
        try f.open(gate: "s1-add")
        // Mid-lock: s1's operation is done, s2 has not reported.
        #expect(try await eventually {
            let tables = try await f.lockTables(Self.lock)
            return tables?[Self.s1Table]?.done == true && tables?[Self.s2Table]?.synced == false
        }, "\(f.cluster.log("master"))")

        // The master's live projection before the kill, and the projection the restarted master rebuilds
        // at the same sequence, compared by the digest of their canonical binary encoding (the JSON's map
        // order is per process). `braid log replay` must agree with both.
        let live = try await f.masterState()
        let liveSeq = try #require(live["lastSequence"] as? Int)
        let liveDigest = try #require(live["digest"] as? String)
        f.cluster.kill("master", signal: SIGKILL)
        #expect(try await f.replayedState(until: liveSeq, digest: true)["digest"] as? String == liveDigest)
        try f.startMaster(ttl: "5s")
        #expect(try await eventually { try await f.workers().values.filter { $0.stage == "bound" }.count == 2 },
                "workers did not reconnect: \(f.cluster.log("w1"))")
        let rebuiltState = try await f.masterState(seq: liveSeq)
        #expect(rebuiltState["lastSequence"] as? Int == liveSeq)
        #expect(rebuiltState["digest"] as? String == liveDigest, "the state rebuilt at \(liveSeq) differs from the live one before the kill")
        let rebuilt = try #require(try await f.lockTables(Self.lock), "the lock was lost")
        #expect(rebuilt[Self.s1Table]?.done == true && rebuilt[Self.s2Table]?.synced == false, "\(rebuilt)")

        // s2 reaches the DDL against the restarted master: the lock finishes.
        try f.open(gate: "s2-add")
        #expect(try await eventually(timeout: .seconds(40)) { try await f.locks().isEmpty }, "lock did not finish: \(f.cluster.log("master"))")
        #expect(try await eventually { f.records(task: "otask", source: "s2").contains("checkpoint") })
        let s1Execs = f.recordObjects(task: "otask", source: "s1").filter { $0["event"] as? String == "exec" }
        #expect(s1Execs.count == 1, "s1 executed the ADD COLUMN \(s1Execs.count) times")
        let audit = try await f.cluster.run(["log", "audit", "lock", Self.lock, "--data-dir", f.cluster.root + "/master"])
        #expect(audit.output.contains("optimism.lockResolved"), "\(audit.output)")
        let verify = try await f.cluster.run(["log", "verify", "--data-dir", f.cluster.root + "/master"])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
