/// The shape every coordination concern follows (see ARCHITECTURE.md, "The decider pattern").
///
/// `decide` and `evolve` are pure: no I/O, no clock, no `await`. Time arrives inside commands
/// (`tick(now:)`), so replaying the log needs no clock and never re-decides anything.
public protocol Decider {
    associatedtype State: Sendable, Equatable
    associatedtype Command: Sendable
    associatedtype Failure: Error

    /// The events to append for `command`, or a typed error and nothing appended.
    static func decide(_ command: Command, _ state: State) throws(Failure) -> [Event]

    /// Applies one event. Events of other concerns are ignored or used as context.
    static func evolve(_ state: inout State, _ event: Event)

    /// Follow-up commands this concern issues after `event` was appended and evolved into `state`
    /// (a pure process manager: e.g. a source leaving a task releases its part of a lock).
    static func react(to event: Event, _ state: State) -> [Command]
}

extension Decider {
    public static func react(to event: Event, _ state: State) -> [Command] { [] }
}

/// A broken projection invariant: a bug, never bad input.
public struct InvariantViolation: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invariant violated: \(self.message)" }
}
