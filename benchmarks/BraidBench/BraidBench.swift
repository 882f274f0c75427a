import Foundation

/// `braid-bench <suite>`: release-mode benchmarks whose numbers go in the README.
/// Suites: eventlog, etcd, rebuild, deciders, binlog, apply, merge, all.
@main
struct BraidBench {
    static func main() async throws {
        let args = Array(CommandLine.arguments.dropFirst())
        let suite = args.first ?? "all"
        let scratch = ProcessInfo.processInfo.environment["BENCH_DIR"] ?? NSTemporaryDirectory()
        switch suite {
        case "eventlog":
            try await EventLogBench.run(scratch: scratch)
        case "etcd":
            try await EtcdComparison.run(scratch: scratch)
        case "deciders":
            try DeciderBench.run()
        case "rebuild":
            try await RebuildBench.run(scratch: scratch)
        case "rebuild-profile":
            try RebuildBench.profile(dir: args[1])
        case "rebuild-measure":
            try RebuildBench.measure(dir: args[1])
        case "binlog":
            try await BinlogBench.run(scratch: scratch)
        case "apply":
            try await ApplyBench.run(scratch: scratch)
        case "merge":
            try await MergeBench.run(scratch: scratch)
        case "ha-append":
            try await HABench.append(scratch: scratch)
        case "ha-lock":
            try await HABench.lock(scratch: scratch)
        case "ha-failover":
            try await HABench.failover(scratch: scratch, runs: Int(args.dropFirst().first ?? "") ?? 20)
        case "control-plane":
            try ControlPlaneBench.run(scratch: scratch)
        case "control-plane-lock":
            try ControlPlaneBench.lockRoundTrip(scratch: scratch, sources: 16, rounds: 100)
        case "control-plane-keepalive":
            try ControlPlaneBench.keepalives(scratch: scratch, workers: 1_000, seconds: 20)
        case "all":
            try DeciderBench.run()
            try await RebuildBench.run(scratch: scratch)
            try await EventLogBench.run(scratch: scratch)
            try await EtcdComparison.run(scratch: scratch)
            try await BinlogBench.run(scratch: scratch)
        default:
            print("usage: braid-bench eventlog|etcd|ha-append|ha-lock|ha-failover [runs]|deciders|rebuild|control-plane[-lock|-keepalive]|binlog|apply|merge|all   (BENCH_DIR=<dir> picks the scratch folder)")
            exit(2)
        }
    }
}

/// Summary statistics over latency samples in nanoseconds.
struct Percentiles {
    var samples: [UInt64]

    init(_ samples: [UInt64]) { self.samples = samples.sorted() }

    func at(_ p: Double) -> Double {
        guard !self.samples.isEmpty else { return 0 }
        let index = min(self.samples.count - 1, Int((Double(self.samples.count) * p).rounded(.down)))
        return Double(self.samples[index]) / 1_000
    }

    var summary: String { String(format: "p50 %.0f µs, p99 %.0f µs, max %.0f µs", self.at(0.5), self.at(0.99), self.at(1.0)) }
}

func nanos(_ duration: Duration) -> UInt64 {
    UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
}

func rate(_ count: Int, _ duration: Duration) -> Double {
    Double(count) / (Double(nanos(duration)) / 1e9)
}
