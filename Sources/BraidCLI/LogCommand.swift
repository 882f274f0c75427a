import ArgumentParser
import Foundation
import LogTools

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Offline tools over a master's event log.",
        discussion: "Each tool opens <data-dir>/log read-mostly; they are safe to run while a master writes.",
        subcommands: [Show.self, Tail.self, Replay.self, Audit.self, Verify.self, Rebuild.self, Export.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print records, one per line.")
        @OptionGroup var data: DataDirOption
        @Option(help: "First sequence number to print.") var from: UInt64 = 1
        @Option(help: "At most this many records.") var limit: Int = 100
        @Flag(help: "Print JSON lines instead of text.") var json = false

        func run() throws {
            let reader = try LogReader(dataDir: self.data.dataDir)
            try reader.show(from: self.from, limit: self.limit, json: self.json) { print($0) }
        }
    }

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the newest records, and with --follow keep printing new ones.")
        @OptionGroup var data: DataDirOption
        @Option(name: .shortAndLong, help: "How many of the newest records to print first.") var count: Int = 20
        @Flag(name: .shortAndLong, help: "Keep printing records as they are committed.") var follow = false
        @Flag(help: "Print JSON lines instead of text.") var json = false

        func run() async throws {
            let reader = try LogReader(dataDir: self.data.dataDir)
            try await reader.tail(count: self.count, follow: self.follow, json: self.json) { print($0) }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the cluster state as it was at a sequence number or a time (time travel).")
        @OptionGroup var data: DataDirOption
        @Option(name: .customLong("until-seq"), help: "Fold records up to and including this sequence.") var untilSeq: UInt64?
        @Option(name: .customLong("until-time"), help: "Fold records committed at or before this ISO-8601 time or Unix ms.") var untilTime: String?
        @Flag(help: "Print only the sequence and a digest of the state's canonical binary encoding (equal digests = equal states).")
        var digest = false

        func run() throws {
            var ms: Int64?
            if let untilTime = self.untilTime {
                if let n = Int64(untilTime) {
                    ms = n
                } else if let date = ISO8601DateFormatter().date(from: untilTime) {
                    ms = Int64(date.timeIntervalSince1970 * 1000)
                } else {
                    throw ValidationError("--until-time: expected ISO-8601 (2026-11-22T04:31:00Z) or Unix milliseconds, got \(untilTime)")
                }
            }
            let log = try DataDirectory.openLog(self.data.dataDir)
            let state = try LogInspection.replay(log: log, untilSequence: self.untilSeq, untilTime: ms)
            if self.digest {
                print("{\"lastSequence\":\(state.lastSequence),\"digest\":\"\(LogInspection.digest(state))\"}")
            } else {
                print(try LogInspection.json(state))
            }
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The causal history of a lock, task, source or worker: facts and the decisions that followed.",
            discussion: "Example: braid log audit lock 'test-`shardddl`.`tb`' --data-dir DIR")
        @Argument(help: "lock | task | source | worker") var kind: String
        @Argument(help: "The id, e.g. test-`shardddl`.`tb` for a lock.") var id: String
        @OptionGroup var data: DataDirOption

        func run() throws {
            guard let kind = LogAudit.Kind(rawValue: self.kind) else {
                throw ValidationError("unknown kind \(self.kind): expected lock, task, source or worker")
            }
            let log = try DataDirectory.openLog(self.data.dataDir)
            let steps = try LogAudit.steps(in: log, kind: kind, id: self.id)
            LogAudit.render(steps, kind: kind, id: self.id) { print($0) }
            if steps.isEmpty { throw ExitCode(1) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check checksums, sequence gaps, event decoding, projection invariants and snapshots; exit 1 on the first problem.")
        @OptionGroup var data: DataDirOption
        @Option(
            name: .customLong("digest-from"),
            help: "Digest the records from this sequence on (HA: compare mirrors over the range they share after one installed a snapshot).")
        var digestFrom: UInt64 = 1
        @Option(
            name: .customLong("digest-through"),
            help: "Digest the records up to this sequence (compare mirrors of a log that is still growing; default: the last).")
        var digestThrough: UInt64?

        func run() throws {
            let log = try DataDirectory.openLog(self.data.dataDir)
            let report = try LogInspection.verify(log: log) { print($0) }
            if report.isSound {
                let digest = try LogInspection.digest(log: log, from: self.digestFrom, through: self.digestThrough ?? .max)
                print("records \(digest.first)...\(digest.last), digest \(String(digest.digest, radix: 16))")
                print("log OK")
            } else {
                for problem in report.problems { print("FAILED: \(problem)") }
                if let seq = report.firstBadSequence { print("first bad sequence: \(seq)") }
                throw ExitCode(1)
            }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fold the whole log and store the result as a snapshot.")
        @OptionGroup var data: DataDirOption

        func run() async throws {
            let log = try DataDirectory.openLog(self.data.dataDir)
            let snapshot = try await LogInspection.rebuild(log: log)
            print("snapshot written at sequence \(snapshot.sequence) (\(snapshot.state.count) bytes, version \(snapshot.version))")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every record as JSON lines to standard output.")
        @OptionGroup var data: DataDirOption
        @Flag(help: "JSON lines (the only format; accepted for clarity).") var jsonl = false

        func run() throws {
            let reader = try LogReader(dataDir: self.data.dataDir)
            try reader.export { print($0) }
        }
    }
}
