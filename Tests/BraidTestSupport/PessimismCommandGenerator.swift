public import Domain
public import Pessimism

/// Produces mostly-valid pessimism commands for property tests: Infos from several tasks and
/// sources (mostly agreeing with the lock, sometimes not), dones for issued operations, and now
/// and then an unlock, a source leaving or rejoining, a removed task, a duplicate or a bad command.
///
/// The generator keeps its own model of each task's sources (what the engine would pass as
/// `taskSources`), so leaving and rejoining sources are exercised.
public struct PessimismCommandGenerator {
    public static let tasks: [TaskName] = ["test", "shard-merge"]
    public static let sources: [SourceID] = ["mysql-replica-01", "mysql-replica-02", "mysql-replica-03"]
    public static let tables: [TableName] = [
        TableName(schema: "shardddl", table: "tb"), TableName(schema: "shardddl", table: "tc"),
    ]
    /// A small pool so agreeing and disagreeing DDL lists both happen often.
    public static let ddlPool: [String] = [
        "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` INT",
        "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col1` FLOAT",
        "ALTER TABLE `shardddl`.`tb` ADD COLUMN `new_col2` INT",
        "ALTER TABLE `shardddl`.`tb` DROP COLUMN `new_col1`",
    ]

    /// The engine's view: each task's current sources.
    public private(set) var taskSources: [TaskName: Set<SourceID>]

    public init() {
        self.taskSources = Dictionary(uniqueKeysWithValues: Self.tasks.map { ($0, Set(Self.sources)) })
    }

    public mutating func next(state: Pessimism.State, rng: inout SeededRandom) -> Pessimism.Command {
        let roll = Int.random(in: 0..<100, using: &rng)
        switch roll {
        case 0..<40:
            return self.report(state: state, rng: &rng)
        case 40..<80:
            return self.done(state: state, rng: &rng) ?? self.report(state: state, rng: &rng)
        case 80..<87:
            return self.unlock(state: state, rng: &rng)
        case 87..<92:
            let task = Self.tasks.randomElement(using: &rng)!
            let source = Self.sources.randomElement(using: &rng)!
            self.taskSources[task]?.remove(source)
            return .sourceLeftTask(task: task, source: source)
        case 92..<97:
            // A source (re)joins a task; this command itself is a harmless report or done.
            let task = Self.tasks.randomElement(using: &rng)!
            self.taskSources[task, default: []].insert(Self.sources.randomElement(using: &rng)!)
            return self.done(state: state, rng: &rng) ?? self.report(state: state, rng: &rng)
        default:
            let task = Self.tasks.randomElement(using: &rng)!
            self.taskSources[task] = Set(Self.sources)
            return .taskRemoved(task: task)
        }
    }

    private mutating func report(state: Pessimism.State, rng: inout SeededRandom) -> Pessimism.Command {
        let task = Self.tasks.randomElement(using: &rng)!
        let members = self.taskSources[task, default: []]
        // Rarely a source outside the task (rejected as `sourceNotInTask`).
        let source =
            (members.isEmpty || Int.random(in: 0..<50, using: &rng) == 0)
            ? Self.sources.randomElement(using: &rng)!
            : members.sorted().randomElement(using: &rng)!
        let key = Pessimism.InfoKey(task: task, source: source)
        if let current = state.infos[key], Int.random(in: 0..<2, using: &rng) == 0 {
            return .reportInfo(current.info, taskSources: members)  // a restarted worker re-sends
        }
        let table = Self.tables.randomElement(using: &rng)!
        let ddls: [String]
        if let lock = state.locks[LockID(task: task, downstream: table)], Int.random(in: 0..<10, using: &rng) < 8 {
            ddls = Int.random(in: 0..<2, using: &rng) == 0 ? lock.ddls : lock.ddls.reversed()
        } else if Int.random(in: 0..<100, using: &rng) == 0 {
            ddls = []  // a worker bug: refused with `emptyDDLs`
        } else {
            let count = Int.random(in: 1...2, using: &rng)
            ddls = (0..<count).map { _ in Self.ddlPool.randomElement(using: &rng)! }
        }
        let info = PessimismInfo(task: task, source: source, downstream: table, ddls: ddls)
        return .reportInfo(info, taskSources: members)
    }

    private func done(state: Pessimism.State, rng: inout SeededRandom) -> Pessimism.Command? {
        let operations = state.locks.values.sorted { $0.id < $1.id }.flatMap { lock in
            lock.operations.values.sorted { $0.source < $1.source }
        }
        let pending = operations.filter { !$0.done }
        // Mostly pending operations; sometimes a repeated done.
        let pool = pending.isEmpty || Int.random(in: 0..<20, using: &rng) == 0 ? operations : pending
        guard let op = pool.randomElement(using: &rng) else { return nil }
        // Workers echo the lock serial; sometimes an old one (a late done) or none at all.
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: return .operationDone(lock: op.lock, source: op.source, lockSerial: op.lockSerial - 1)
        case 1..<4: return .operationDone(lock: op.lock, source: op.source)
        default: return .operationDone(lock: op.lock, source: op.source, lockSerial: op.lockSerial)
        }
    }

    private func unlock(state: Pessimism.State, rng: inout SeededRandom) -> Pessimism.Command {
        let locks = state.locks.values.sorted { $0.id < $1.id }
        let forceRemove = Int.random(in: 0..<3, using: &rng) == 0
        guard let lock = locks.randomElement(using: &rng), Int.random(in: 0..<10, using: &rng) != 0 else {
            let table = Self.tables.randomElement(using: &rng)!
            return .unlock(LockID(task: "no-such-task", downstream: table), owner: nil, forceRemove: forceRemove)
        }
        let owner = Int.random(in: 0..<3, using: &rng) == 0 ? Self.sources.randomElement(using: &rng) : nil
        return .unlock(lock.id, owner: owner, forceRemove: forceRemove)
    }
}
