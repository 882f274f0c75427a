import Domain
import EventLog
import Foundation
import Pessimism
import Leader
import Projections
import Scheduling

/// The scripted scenario `braid demo` drives through the engine into a real log: DM-style configs,
/// workers and bindings, a pessimistic shard-DDL lock from Info to resolution, a mismatching Info
/// that is recorded rather than dropped and then unlocked by the operator, and a worker that stops
/// keeping alive so its source moves to a free worker.
public enum DemoScenario {
    static let sourceYAML = [
        """
        source-id: "mysql-replica-01"
        enable-gtid: true
        flavor: mariadb
        from:
          host: "127.0.0.1"
          port: 3306
          user: "root"
          password: "demo-secret-1"
        """,
        """
        source-id: "mysql-replica-02"
        enable-gtid: true
        flavor: mariadb
        from:
          host: "127.0.0.1"
          port: 3307
          user: "root"
          password: "demo-secret-2"
        """,
    ]

    static let taskYAML = """
        name: "demo"
        task-mode: all
        shard-mode: pessimistic
        meta-schema: "dm_meta"
        target-database:
          host: "127.0.0.1"
          port: 4000
          user: "root"
          password: ""
        mysql-instances:
          - source-id: "mysql-replica-01"
            block-allow-list: "instance"
            route-rules: ["sharding-route-rules-table", "sharding-route-rules-schema"]
          - source-id: "mysql-replica-02"
            block-allow-list: "instance"
            route-rules: ["sharding-route-rules-table", "sharding-route-rules-schema"]
        block-allow-list:
          instance:
            do-dbs: ["shardddl1", "shardddl2"]
        routes:
          sharding-route-rules-table:
            schema-pattern: "shardddl*"
            table-pattern: "tb*"
            target-schema: "shardddl"
            target-table: "tb"
          sharding-route-rules-schema:
            schema-pattern: "shardddl*"
            target-schema: "shardddl"
        """

    public static func run(dataDir: String, say: @escaping @Sendable (String) -> Void) async throws {
        let log = try LMDBLog(path: DataDirectory.logPath(dataDir))
        let host = try await EngineHost(log: log, options: .init(snapshotEvery: 25))
        var clock = Int64(Date().timeIntervalSince1970 * 1000)
        say("braid demo: data directory \(dataDir), leader term \(host.term)")

        @discardableResult
        func step(_ title: String, _ command: ClusterCommand, advance: Int64 = 1_000) async throws -> [Event] {
            clock += advance
            let events = try await host.execute(command, now: clock)
            say("▸ \(title)")
            for event in events { say("    \(event.name)") }
            return events
        }

        let source1 = SourceID("mysql-replica-01")
        let source2 = SourceID("mysql-replica-02")
        let table = TableName(schema: "shardddl", table: "tb")
        let task = TaskName("demo")

        // Workers and sources.
        for worker in ["worker1", "worker2"] {
            try await step("register \(worker)", .scheduling(.registerWorker(WorkerName(worker), address: "127.0.0.1:\(worker == "worker1" ? 8262 : 8263)")))
            try await step("keepalive \(worker)", .scheduling(.keepalive(WorkerName(worker), at: clock + 1_000)))
        }
        for yaml in sourceYAML {
            let loaded = try SourceConfig.load(yaml: yaml)
            try await step("operate-source create \(loaded.config.sourceID)", .scheduling(.addSource(loaded.config)))
        }
        let taskConfig = try TaskConfig.load(yaml: taskYAML)
        try await step("start-task demo (pessimistic, shardddl*.tb* → shardddl.tb)", .scheduling(.startTask(taskConfig.config)))
        await self.printBindings(host, say: say)

        // Lock 1: both sources add the same column.
        let ddl1 = ["ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT"]
        try await step("source1 reports its shard DDL", .reportPessimismInfo(PessimismInfo(task: task, source: source1, downstream: table, ddls: ddl1)))
        await self.printLocks(host, say: say)
        try await step("source2 reports the same DDL: the lock is synced, the owner is told to execute",
                       .reportPessimismInfo(PessimismInfo(task: task, source: source2, downstream: table, ddls: ddl1)))
        await self.printLocks(host, say: say)
        let lock = LockID(task: task, downstream: table)
        try await step("owner source1 executed the DDL downstream", .pessimism(.operationDone(lock: lock, source: source1)))
        await self.printLocks(host, say: say)
        try await step("source2 skipped it: the lock resolves", .pessimism(.operationDone(lock: lock, source: source2)))
        await self.printLocks(host, say: say)

        // Lock 2: the sources disagree (dm DM_102); the mismatch is recorded, then the operator unlocks.
        try await step("source1 adds new_col2 DEFAULT 0", .reportPessimismInfo(PessimismInfo(
            task: task, source: source1, downstream: table, ddls: ["ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col2` INT DEFAULT 0"])))
        try await step("source2 adds new_col2 DEFAULT -1: rejected, and kept in the log", .reportPessimismInfo(PessimismInfo(
            task: task, source: source2, downstream: table, ddls: ["ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col2` INT DEFAULT -1"])))
        await self.printLocks(host, say: say)
        try await step("operator: shard-ddl-lock unlock \(lock)", .pessimism(.unlock(lock, owner: nil, forceRemove: false)))
        for source in [source1, source2] where !(await host.state.pessimism.pendingOperations(task: task, source: source)).isEmpty {
            try await step("\(source) finished its operation", .pessimism(.operationDone(lock: lock, source: source)))
        }
        await self.printLocks(host, say: say)

        // A worker stops keeping alive; after the TTL its source moves to a new free worker.
        try await step("register worker3", .scheduling(.registerWorker("worker3", address: "127.0.0.1:8264")))
        try await step("keepalive worker3 and worker1 (worker2 is silent)", .scheduling(.keepalive("worker3", at: clock + 1_000)))
        try await step("keepalive worker1", .scheduling(.keepalive("worker1", at: clock + 1_000)))
        try await step("leader timer tick after the 10 s TTL", .scheduling(.tick(now: clock + 2_000, ttl: Scheduling.defaultKeepaliveTTL)), advance: 2_000)
        await self.printBindings(host, say: say)

        // Checkpoints reported by the workers.
        for (i, source) in [source1, source2].enumerated() {
            try await step("checkpoint from \(source)", .record(.checkpoint(.reported(
                task: task, source: source, position: BinlogPosition(file: "mysql-bin.000001", pos: UInt32(4_000 + i * 1_000)), gtid: nil, at: clock))))
        }

        try await host.snapshotNow()
        let state = await host.state
        try state.checkInvariants()
        let rebuilt = try ClusterState.rebuild(from: log, useSnapshots: false)
        say("done: \(state.eventCount) events up to sequence \(state.lastSequence); full refold equals the live state: \(rebuilt == state)")
        say("next: braid log audit lock '\(lock)' --data-dir \(dataDir)")
    }

    static func printLocks(_ host: EngineHost, say: (String) -> Void) async {
        let state = await host.state
        let locks = state.pessimism.lockSummaries()
        if locks.isEmpty { say("    locks: none") }
        for l in locks {
            say("    lock \(l.id) owner \(l.owner) synced \(l.synced.map(\.rawValue)) unsynced \(l.unsynced.map(\.rawValue)) ops \(l.operations.map { "\($0.source):\($0.exec ? "exec" : "skip")\($0.done ? "✓" : "")" })")
        }
        for r in state.pessimism.rejectedInfos() {
            say("    rejected \(r.info.source): \(r.reason.message(for: r.info))")
        }
    }

    static func printBindings(_ host: EngineHost, say: (String) -> Void) async {
        let s = await host.state.scheduling
        for source in ["mysql-replica-01", "mysql-replica-02"].map(SourceID.init) {
            say("    \(source) bound to \(s.boundWorker(of: source).map(\.rawValue) ?? "nobody") (epoch \(s.bindingEpoch(of: source).map(String.init) ?? "-"))")
        }
    }
}
