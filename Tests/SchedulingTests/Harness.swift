import BraidTestSupport
import Domain
import Scheduling
import Testing

/// Drives the decider the way the leader loop does: decide, append (here: remember), evolve,
/// and checks invariants and replay after every command.
struct Harness {
    var state = Scheduling.State()
    var log: [Event] = []
    var now: Int64 = 1_000_000

    @discardableResult
    mutating func run(
        _ command: Scheduling.Command,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [Event] {
        let events = try Scheduling.decide(command, self.state)
        for event in events { Scheduling.evolve(&self.state, event) }
        self.log += events
        try self.state.checkInvariants()
        return events
    }

    /// Runs a command that must be refused, returning the error code; asserts nothing was emitted.
    mutating func refuse(
        _ command: Scheduling.Command,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Scheduling.Error.Code? {
        do {
            let events = try Scheduling.decide(command, self.state)
            Issue.record("expected a refusal, got \(events.map(\.name))", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error.code
        }
    }

    /// Registers and heartbeats workers at `now`.
    mutating func online(_ workers: WorkerName...) throws {
        for w in workers {
            try self.run(.registerWorker(w, address: SchedulingCommandGenerator.address(of: w)))
            try self.run(.keepalive(w, at: self.now))
        }
    }

    mutating func addSources(_ ids: SourceID...) throws {
        for id in ids { try self.run(.addSource(SchedulingCommandGenerator.sourceConfig(id))) }
    }

    mutating func startTask(_ name: TaskName, _ sources: SourceID...) throws {
        try self.run(.startTask(SchedulingCommandGenerator.taskConfig(name, sources: sources)))
    }

    /// Every worker except `silent` sends a keepalive at `now`.
    mutating func heartbeatAll(except silent: Set<WorkerName> = []) throws {
        for w in self.state.workers.keys.sorted() where !silent.contains(w) && self.state.workers[w]!.isOnline {
            try self.run(.keepalive(w, at: self.now))
        }
    }

    func replayed() -> Scheduling.State {
        var fresh = Scheduling.State()
        for event in self.log { Scheduling.evolve(&fresh, event) }
        return fresh
    }
}

let s1: SourceID = "mysql-replica-01"
let s2: SourceID = "mysql-replica-02"
let s3: SourceID = "mysql-replica-03"
let w1: WorkerName = "worker1"
let w2: WorkerName = "worker2"
let w3: WorkerName = "worker3"
