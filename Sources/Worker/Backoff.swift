/// Exponential backoff with jitter, capped: how a worker retries registering with the master.
///
/// "Equal jitter" (half fixed, half random) keeps a floor under the delay while spreading out a
/// fleet of workers that all lost the same master at once.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    private var attempt = 0

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), multiplier: Double = 2) {
        precondition(initial > .zero && maximum >= initial && multiplier >= 1, "invalid backoff \(initial) \(maximum) \(multiplier)")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The next delay; grows until `maximum`.
    public mutating func next<R: RandomNumberGenerator>(using rng: inout R) -> Duration {
        let grown = self.initial * Double.pow(self.multiplier, self.attempt)
        let base = min(grown, self.maximum)
        if grown < self.maximum { self.attempt += 1 }
        let half = base / 2
        return half + half * Double.random(in: 0...1, using: &rng)
    }

    public mutating func next() -> Duration {
        var rng = SystemRandomNumberGenerator()
        return self.next(using: &rng)
    }

    public mutating func reset() { self.attempt = 0 }
}

extension Double {
    fileprivate static func pow(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(exponent, 64) { result *= base }
        return result
    }
}
