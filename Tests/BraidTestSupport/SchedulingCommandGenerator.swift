import Domain
import Scheduling

/// Produces random, mostly valid scheduler commands for property tests.
///
/// Names come from small pools so that commands collide on the same workers, sources and tasks;
/// about one command in ten is deliberately invalid (unknown names, conflicting addresses, busy
/// targets) so the refusal paths are exercised too. Deterministic for a given `SeededRandom`.
public struct SchedulingCommandGenerator {
    public var workerNames: [WorkerName]
    public var sourceIDs: [SourceID]
    public var taskNames: [TaskName]
    public var ttl: Int64
    private var updates = 0

    public init() {
        self.workerNames = (1...6).map { WorkerName("worker\($0)") }
        self.sourceIDs = (1...5).map { SourceID("mysql-replica-0\($0)") }
        self.taskNames = ["test", "task2", "task3"]
        self.ttl = Scheduling.defaultKeepaliveTTL
    }

    public static func address(of worker: WorkerName) -> String { "\(worker.rawValue).local:8262" }

    public static func sourceConfig(_ id: SourceID, port: UInt16 = 3306) -> SourceConfig {
        SourceConfig(
            sourceID: id,
            from: DatabaseConfig(host: "\(id.rawValue).local", port: port, user: "root", password: "pw")
        )
    }

    public static func taskConfig(_ name: TaskName, sources: [SourceID]) -> TaskConfig {
        TaskConfig(
            name: name,
            taskMode: .all,
            shardMode: .pessimistic,
            targetDatabase: DatabaseConfig(host: "tidb", port: 4000, user: "root"),
            mysqlInstances: sources.map { MySQLInstance(sourceID: $0, routeRules: ["r"]) },
            routes: [
                "r": RouteRule(
                    schemaPattern: "shardddl*",
                    tablePattern: "tb*",
                    targetSchema: "shardddl",
                    targetTable: "tb"
                )
            ]
        )
    }

    public mutating func next(state: Scheduling.State, rng: inout SeededRandom, now: Int64) -> Scheduling.Command {
        let invalid = Int.random(in: 0..<10, using: &rng) == 0
        let registered = state.workers.keys.sorted()
        let worker = (invalid || registered.isEmpty ? self.workerNames : registered).randomElement(using: &rng)!
        let existing = state.sources.keys.sorted()
        let source = (invalid || existing.isEmpty ? self.sourceIDs : existing).randomElement(using: &rng)!
        let tasks = state.tasks.keys.sorted()
        let task = (invalid || tasks.isEmpty ? self.taskNames : tasks).randomElement(using: &rng)!
        let subtaskSource = state.tasks[task]?.subtasks.keys.sorted().randomElement(using: &rng)

        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<8:
            let name = self.workerNames.randomElement(using: &rng)!
            return .registerWorker(name, address: invalid ? "elsewhere:1" : Self.address(of: name))
        case 8..<38:
            return .keepalive(worker, at: now)
        case 38..<50:
            return .tick(now: now, ttl: self.ttl)
        case 50..<53:
            return .stopWorker(worker)
        case 53..<56:
            let offline = registered.filter { state.workers[$0]?.isOnline == false }
            return .offlineMember(invalid ? worker : offline.randomElement(using: &rng) ?? worker)
        case 56..<66:
            let absent = self.sourceIDs.filter { state.sources[$0] == nil }
            let id = invalid ? source : absent.randomElement(using: &rng) ?? source
            let target = Bool.random(using: &rng) ? state.freeWorkers.randomElement(using: &rng) : nil
            return .addSource(Self.sourceConfig(id), worker: target)
        case 66..<69:
            self.updates += 1
            return .updateSource(Self.sourceConfig(source, port: UInt16(3306 + self.updates % 50)))
        case 69..<72:
            let unused = existing.filter { state.subtasks(ofSource: $0).isEmpty }
            return .removeSource(invalid ? source : unused.randomElement(using: &rng) ?? source)
        case 72..<78:
            let target = invalid ? worker : state.freeWorkers.randomElement(using: &rng) ?? worker
            return .transferSource(source, to: target)
        case 78..<86:
            // `start-task -s` of a source a running task's config names but has no subtask on (after `stop-task -s`).
            if !invalid, Int.random(in: 0..<3, using: &rng) == 0,
                let (name, record) = state.tasks.sorted(by: { $0.key < $1.key }).first(where: { entry in
                    entry.value.config.sourceIDs.contains { entry.value.subtasks[$0] == nil && state.bindings[$0] != nil }
                }),
                let back = record.config.sourceIDs.first(where: { record.subtasks[$0] == nil && state.bindings[$0] != nil })
            {
                return .startTask(record.config, sources: [back])
            }
            let absent = self.taskNames.filter { state.tasks[$0] == nil }
            let name = invalid ? task : absent.randomElement(using: &rng) ?? task
            let pool = invalid ? self.sourceIDs : existing.filter { state.bindings[$0] != nil }
            let count = Int.random(in: 1...max(1, min(3, pool.count)), using: &rng)
            let chosen = Array(pool.shuffled(using: &rng).prefix(count))
            return .startTask(Self.taskConfig(name, sources: chosen.isEmpty ? [source] : chosen))
        case 86..<91:
            return .pauseTask(task, source: Bool.random(using: &rng) ? subtaskSource : nil)
        case 91..<96:
            return .resumeTask(task, source: Bool.random(using: &rng) ? subtaskSource : nil)
        case 96..<98:
            let reporting = subtaskSource ?? source
            let binding = state.bindings[reporting]
            let reporter = invalid ? worker : binding?.worker ?? worker
            let epoch = invalid ? UInt64.random(in: 0...state.lastEpoch + 1, using: &rng) : binding?.epoch ?? 0
            let position = BinlogPosition(file: "mysql-bin.000001", pos: UInt32(truncatingIfNeeded: now % 1_000_000))
            return .reportCheckpoint(
                task: task,
                source: reporting,
                worker: reporter,
                epoch: epoch,
                position: position,
                gtid: nil,
                at: now
            )
        default:
            return .stopTask(task, source: Bool.random(using: &rng) ? subtaskSource : nil)
        }
    }

    /// A random `binlog skip|replace|revert` or `binlog-schema update|delete` on an existing subtask (or,
    /// one time in ten, an unknown one).
    public func nextBinlogOperation(state: Scheduling.State, rng: inout SeededRandom) -> Scheduling.Command {
        let invalid = Int.random(in: 0..<10, using: &rng) == 0
        let tasks = state.tasks.keys.sorted()
        let task = (invalid || tasks.isEmpty ? self.taskNames : tasks).randomElement(using: &rng)!
        let source = (invalid ? nil : state.tasks[task]?.subtasks.keys.sorted().randomElement(using: &rng))
            ?? self.sourceIDs.randomElement(using: &rng)!
        let position = BinlogPosition(file: "mysql-bin.00000\(Int.random(in: 1...2, using: &rng))", pos: UInt32.random(in: 4...6, using: &rng))
        switch Int.random(in: 0..<6, using: &rng) {
        case 4:
            let table = "tb\(Int.random(in: 1...2, using: &rng))"
            return .setSchemaOperation(
                task, source: source, schema: "db", table: table, createTable: "CREATE TABLE \(table) (a INT PRIMARY KEY)",
                reportedPaused: Bool.random(using: &rng))
        case 5:
            return .setSchemaOperation(
                task, source: source, schema: "db", table: "tb1", createTable: nil, reportedPaused: Bool.random(using: &rng))
        case 0: return .setBinlogOperation(task, source: source, .skip(at: position))
        case 1: return .setBinlogOperation(task, source: source, .replace(at: position, with: ["ALTER TABLE tb1 ADD COLUMN c\(position.pos) INT"]))
        case 2: return .removeBinlogOperation(task, source: source, position: position)
        default: return .removeBinlogOperation(task, source: source, position: nil)
        }
    }
}
