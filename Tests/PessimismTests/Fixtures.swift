import BraidTestSupport
import Domain
import Pessimism
import Testing

/// DM's shardddl fixture (dm-reference §3.0): task `test`, sources `mysql-replica-01/02`, every
/// `shardddl*.tb*` routed to `shardddl.tb`, so the lock id is ``test-`shardddl`.`tb` ``.
enum Fixture {
    static let task: TaskName = "test"
    static let source1: SourceID = "mysql-replica-01"
    static let source2: SourceID = "mysql-replica-02"
    static let source3: SourceID = "mysql-replica-03"
    static let table = TableName(schema: "shardddl", table: "tb")
    static let lock = LockID(task: task, downstream: table)

    static func info(_ source: SourceID, _ ddls: String..., task: TaskName = Fixture.task) -> PessimismInfo {
        PessimismInfo(task: task, source: source, downstream: Self.table, ddls: ddls)
    }

    static func exec(
        _ source: SourceID,
        _ ddls: [String],
        serial: UInt64 = 1,
        lock: LockID = Fixture.lock
    ) -> PessimismEvent {
        .operationIssued(
            PessimismOperation(lock: lock, lockSerial: serial, task: Self.task, source: source, ddls: ddls, exec: true)
        )
    }

    static func skip(
        _ source: SourceID,
        _ ddls: [String],
        serial: UInt64 = 1,
        lock: LockID = Fixture.lock
    ) -> PessimismEvent {
        .operationIssued(
            PessimismOperation(lock: lock, lockSerial: serial, task: Self.task, source: source, ddls: ddls, exec: false)
        )
    }

    static func done(_ source: SourceID, lock: LockID = Fixture.lock) -> PessimismEvent {
        .operationDone(lock: lock, task: Self.task, source: source)
    }
}

/// Drives the decider as the leader loop would: decide, then evolve each returned event, checking
/// the invariants after every single event; keeps the whole log for replay checks.
struct Harness {
    var state = Pessimism.State()
    var log: [Event] = []
    var taskSources: Set<SourceID> = [Fixture.source1, Fixture.source2]

    /// Runs a command and returns its pessimism events.
    @discardableResult
    mutating func run(_ command: Pessimism.Command) throws -> [PessimismEvent] {
        let events = try Pessimism.decide(command, self.state)
        for event in events {
            Pessimism.evolve(&self.state, event)
            try self.state.checkInvariants()
        }
        self.log += events
        return events.map { event in
            guard case .pessimism(let e) = event else { fatalError("non-pessimism event \(event)") }
            return e
        }
    }

    @discardableResult
    mutating func report(_ info: PessimismInfo) throws -> [PessimismEvent] {
        try self.run(.reportInfo(info, taskSources: self.taskSources))
    }

    @discardableResult
    mutating func done(_ source: SourceID, lock: LockID = Fixture.lock) throws -> [PessimismEvent] {
        try self.run(.operationDone(lock: lock, source: source))
    }

    /// Folding the log into a fresh state gives the live state (replay never re-decides).
    func replayed() -> Pessimism.State {
        var state = Pessimism.State()
        for event in self.log { Pessimism.evolve(&state, event) }
        return state
    }
}

/// The typed error code a command fails with, or nil if it succeeds.
func errorCode(_ command: Pessimism.Command, _ state: Pessimism.State) -> Pessimism.Error.Code? {
    do {
        _ = try Pessimism.decide(command, state)
        return nil
    } catch {
        return error.code
    }
}
