import Foundation

/// The master's wall clock in Unix milliseconds. Time enters the deciders only as data (`now`
/// arguments), so tests inject a clock they move by hand.
public struct MasterClock: Sendable {
    public var now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    /// The system clock.
    public static let system = MasterClock { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
