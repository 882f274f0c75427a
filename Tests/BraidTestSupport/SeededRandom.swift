/// A repeatable random source (SplitMix64) for property tests. Tests print the seed on failure
/// so a failing sequence can be replayed with `BRAID_SEED=<seed>`.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    /// The seed from `BRAID_SEED` if set, otherwise a fresh one.
    public static func fromEnvironment() -> SeededRandom {
        if let text = ProcessInfoShim.environment("BRAID_SEED"), let seed = UInt64(text) {
            return SeededRandom(seed: seed)
        }
        return SeededRandom(seed: UInt64.random(in: 0...UInt64.max))
    }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
