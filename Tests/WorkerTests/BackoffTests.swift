import BraidTestSupport
import Testing
import Worker

@Suite("Backoff")
struct BackoffTests {
    @Test("grows exponentially, stays within [base/2, base], and is capped")
    func growsWithJitterAndCap() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2)
        var rng = SystemRandomNumberGenerator()
        let bases: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)]
        for base in bases {
            let delay = backoff.next(using: &rng)
            #expect(delay >= base / 2 && delay <= base, "\(delay) outside [\(base / 2), \(base)]")
        }
        backoff.reset()
        #expect(backoff.next(using: &rng) <= .milliseconds(100))
    }
}
