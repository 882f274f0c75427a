public import Domain
public import Optimism
public import Pessimism
public import Scheduling

/// A command to the whole cluster: one decider's command, or a pure fact to record.
public enum ClusterCommand: Sendable {
    case scheduling(Scheduling.Command)
    case pessimism(Pessimism.Command)
    /// A worker's pessimistic Info; the engine adds the task's current sources.
    case reportPessimismInfo(PessimismInfo)
    case optimism(Optimism.Command)
    /// A fact with no decision attached (e.g. a checkpoint report).
    case record(Event)
}

/// A rejected cluster command, carrying the decider's typed error.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    public var concern: String
    public var underlying: any Error

    public var description: String { "\(self.concern): \(self.underlying)" }
}

/// Runs a command through its decider, then lets every concern react to the resulting events
/// (process-manager style) until nothing more follows. Pure: the same state and command always
/// give the same events.
public enum ClusterEngine {
    /// Reactions can chain, but a bounded depth catches a decider that keeps reacting to itself.
    static let maxReactionRounds = 64

    /// The events `command` produces against `state`, reactions included. Pure.
    public static func decide(_ command: ClusterCommand, _ state: ClusterState) throws(ClusterError) -> [Event] {
        var scratch = state
        return try self.run(command, on: &scratch, timestamp: state.lastTimestamp)
    }

    /// Decides `command`, folds every resulting event into `state` in place (no copy of the state),
    /// and follows reactions. If the command itself is refused, `state` is untouched.
    public static func run(_ command: ClusterCommand, on state: inout ClusterState, timestamp: Int64) throws(ClusterError) -> [Event] {
        var out = try self.decideOne(command, state)
        for event in out { state.apply(event, sequence: state.lastSequence + 1, timestamp: timestamp) }
        var frontier = out
        var rounds = 0
        while !frontier.isEmpty, rounds < self.maxReactionRounds {
            rounds += 1
            var next: [Event] = []
            for event in frontier {
                for reaction in self.reactions(to: event, state) {
                    // A reaction that its decider refuses is not the caller's error: the fact stands,
                    // and the refusal is recorded rather than dropped.
                    let events: [Event]
                    do throws(ClusterError) {
                        events = try self.decideOne(reaction, state)
                    } catch {
                        events = [.engine(.reactionRefused(concern: error.concern, reaction: self.name(of: reaction), reason: "\(error.underlying)"))]
                    }
                    for e in events { state.apply(e, sequence: state.lastSequence + 1, timestamp: timestamp) }
                    next += events
                }
            }
            out += next
            frontier = next
        }
        return out
    }

    static func decideOne(_ command: ClusterCommand, _ state: ClusterState) throws(ClusterError) -> [Event] {
        do {
            switch command {
            case .scheduling(let c): return try Scheduling.decide(c, state.scheduling)
            case .pessimism(let c): return try Pessimism.decide(c, state.pessimism)
            case .reportPessimismInfo(let info):
                let sources = state.scheduling.sources(ofTask: info.task)
                return try Pessimism.decide(.reportInfo(info, taskSources: sources), state.pessimism)
            case .optimism(let c): return try Optimism.decide(c, state.optimism)
            case .record(let event): return [event]
            }
        } catch {
            throw ClusterError(concern: self.concern(of: command), underlying: error)
        }
    }

    /// A command's name, e.g. `pessimism.sourceLeftTask` (its case names, no field values).
    static func name(of command: ClusterCommand) -> String {
        let outer = Mirror(reflecting: command).children.first
        guard let label = outer?.label else { return "\(command)" }
        guard let inner = outer.map({ Mirror(reflecting: $0.value).children.first?.label }) ?? nil else { return label }
        return "\(label).\(inner)"
    }

    static func concern(of command: ClusterCommand) -> String {
        switch command {
        case .scheduling: "scheduling"
        case .pessimism, .reportPessimismInfo: "pessimism"
        case .optimism: "optimism"
        case .record: "record"
        }
    }

    /// Each decider's own reactions, plus the cross-concern policy: a source leaving a task releases
    /// its part of every lock, and a removed task drops its locks (dm-reference P5, P6, P18).
    static func reactions(to event: Event, _ state: ClusterState) -> [ClusterCommand] {
        var out: [ClusterCommand] = []
        out += Scheduling.react(to: event, state.scheduling).map { .scheduling($0) }
        out += Pessimism.react(to: event, state.pessimism).map { .pessimism($0) }
        out += Optimism.react(to: event, state.optimism).map { .optimism($0) }
        out += CrossConcernPolicy.reactions(to: event)
        return out
    }
}
