import Synchronization

/// A token bucket: `rate` tokens a second up to `burst`. One request takes one token.
final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    let rate: Double
    let burst: Double
    private let state: Mutex<State>

    init(rate: Double, burst: Double) {
        self.rate = max(rate, 0.000_001)
        self.burst = max(burst, 1)
        self.state = Mutex(State(tokens: max(burst, 1), last: .now))
    }

    /// Takes a token; on refusal returns how many whole seconds until one is available.
    func take(now: ContinuousClock.Instant = .now) -> Int? {
        self.state.withLock { state in
            let elapsed = state.last.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(self.burst, state.tokens + max(0, seconds) * self.rate)
            state.last = now
            if state.tokens >= 1 {
                state.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - state.tokens) / self.rate).rounded(.up)))
        }
    }
}
