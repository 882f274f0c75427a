import Foundation

extension ProcessCluster {
    /// `braid log verify` on each HA master's mirror, then each one's digest over the records they
    /// all hold: a member that installed etcd's snapshot starts later than one that never left.
    /// `nil` when a mirror fails verification or prints no digest.
    func mirrorDigests(dataDirs: [String]) async throws -> [String]? {
        var firsts: [UInt64] = []
        for dir in dataDirs {
            let out = try await self.run(["log", "verify", "--data-dir", dir])
            guard out.status == 0, let range = Self.digestLine(out.output), let first = UInt64(range.split(separator: " ")[1].split(separator: ".")[0])
            else { return nil }
            firsts.append(first)
        }
        let from = firsts.max() ?? 1
        var digests: [String] = []
        for dir in dataDirs {
            let out = try await self.run(["log", "verify", "--data-dir", dir, "--digest-from", "\(from)"])
            guard out.status == 0, let line = Self.digestLine(out.output) else { return nil }
            digests.append(line)
        }
        return digests
    }

    /// "records A...B, digest X" (the report's own "records A...B: N records, ..." line comes first).
    static func digestLine(_ output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("records ") && $0.contains(", digest ") }.map(String.init)
    }
}
