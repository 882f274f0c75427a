import EventLog
import Foundation

/// Test fixture for crash-safety tests: appends forever from several concurrent appenders and
/// prints `ACK <first> <count>` once each append is durable. Tests SIGKILL it at random moments.
/// Usage: EventLogCrashFixture <log-dir> <term>
@main
struct Fixture {
    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count == 3, let term = UInt64(args[2]) else {
            FileHandle.standardError.write(Data("usage: EventLogCrashFixture <log-dir> <term>\n".utf8))
            exit(2)
        }
        let log = try LMDBLog(path: args[1], options: .init(syncMode: .durable, initialMapSize: 1 << 20))
        let out = FileHandle.standardOutput
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<8 {
                group.addTask {
                    var i = 0
                    while true {
                        i += 1
                        let batch = (0..<(1 + i % 5)).map { k in
                            LogEntry(typeTag: 1, payload: Array("a\(appender)-\(i)-\(k)".utf8), timestamp: Int64(i))
                        }
                        let range = try await log.append(batch, term: term)
                        out.write(Data("ACK \(range.lowerBound) \(range.count)\n".utf8))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
