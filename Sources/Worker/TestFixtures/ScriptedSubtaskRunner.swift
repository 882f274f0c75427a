import Foundation
import Logging
import Schema
import Synchronization

/// **Test fixture**, not a data plane: a `SubtaskRunner` that replays a scripted sequence of
/// binlog-like steps and records what it did, so tests (including multi-process ones) can assert
/// on shard-DDL coordination without MySQL.
///
/// The script for a subtask is `<scriptDirectory>/<task>-<source>.json` (`braid worker --runner
/// scripted` takes the directory from `BRAID_SCRIPT_DIR`); see `Script`. Every action is appended
/// as one JSON line to `<task>-<source>.record.jsonl` in the same directory, and also published on
/// `events` for in-process tests. A restarted subtask continues after the last step it completed,
/// as a real runner resumes from its checkpoint.
public final class ScriptedSubtaskRunner: SubtaskRunner {
    /// One recorded action.
    public struct Record: Sendable, Hashable, Codable {
        public var subtask: String
        /// started, paused, resumed, stopped, source_tables, gate_waiting, exec, skip, checkpoint, error, finished
        public var event: String
        public var lockID: String?
        public var ddls: [String]?
        public var epoch: Int64?
        public var detail: String?
    }

    public let scriptDirectory: URL
    public let events: AsyncStream<Record>
    private let eventSink: AsyncStream<Record>.Continuation
    private let host = SubtaskHost()
    private let progress = Mutex<[SubtaskKey: Int]>([:])
    private let fileLock = Mutex(())
    private let logger: Logger

    public init(scriptDirectory: URL, logger: Logger = Logger(label: "braid.worker.scripted-runner")) {
        self.scriptDirectory = scriptDirectory
        self.logger = logger
        (self.events, self.eventSink) = AsyncStream.makeStream()
    }

    /// Reads `BRAID_SCRIPT_DIR`.
    public static func fromEnvironment() -> ScriptedSubtaskRunner? {
        guard let dir = ProcessInfo.processInfo.environment["BRAID_SCRIPT_DIR"], !dir.isEmpty else { return nil }
        return ScriptedSubtaskRunner(scriptDirectory: URL(fileURLWithPath: dir))
    }

    public func scriptURL(_ key: SubtaskKey) -> URL {
        self.scriptDirectory.appendingPathComponent("\(key.task)-\(key.source).json")
    }

    public func recordURL(_ key: SubtaskKey) -> URL {
        self.scriptDirectory.appendingPathComponent("\(key.task)-\(key.source).record.jsonl")
    }

    public func start(_ subtask: SubtaskContext) async throws(SubtaskRunnerError) {
        let script: Script
        do {
            script = try JSONDecoder().decode(Script.self, from: Data(contentsOf: self.scriptURL(subtask.key)))
        } catch {
            if !FileManager.default.fileExists(atPath: self.scriptURL(subtask.key).path) {
                script = Script(steps: [])
            } else {
                throw SubtaskRunnerError("bad script \(self.scriptURL(subtask.key).path): \(error)")
            }
        }
        try self.host.start(subtask.key) { control in
            await self.play(script, subtask, control)
        }
        self.record(subtask.key, "started", epoch: subtask.bindingEpoch)
    }

    public func pause(_ key: SubtaskKey) async {
        self.host.pause(key)
        self.record(key, "paused")
    }

    public func resume(_ key: SubtaskKey) async {
        self.host.resume(key)
        self.record(key, "resumed")
    }

    public func stop(_ key: SubtaskKey) async {
        guard self.host.running.contains(key) else { return }
        await self.host.stop(key)
        self.record(key, "stopped")
    }

    public func run() async { await self.host.run() }

    private func play(_ script: Script, _ subtask: SubtaskContext, _ control: SubtaskHost.Control) async {
        let key = subtask.key
        var index = self.progress.withLock { $0[key] ?? 0 }
        while index < script.steps.count {
            await control.waitIfPaused()
            if Task.isCancelled { return }
            let step = script.steps[index]
            do {
                try await self.perform(step, subtask)
            } catch {
                if Task.isCancelled { return }
                self.record(key, "error", detail: "\(error)")
                await subtask.reporter.status(stage: .paused, unit: "Sync", error: "\(error)", processedRows: nil)
                return
            }
            index += 1
            self.progress.withLock { $0[key] = index }
        }
        self.record(key, "finished")
        if script.finish ?? false {
            await subtask.reporter.status(stage: .finished, unit: "Sync", error: nil, processedRows: nil)
        }
    }

    private func perform(_ step: Script.Step, _ subtask: SubtaskContext) async throws {
        let key = subtask.key
        switch step.kind {
        case .checkpoint:
            try await subtask.reporter.checkpoint(
                binlogName: step.binlogName ?? "mysql-bin.000001", binlogPos: step.binlogPos ?? 4, gtid: step.gtid)
            self.record(key, "checkpoint", epoch: subtask.bindingEpoch,
                detail: "\(step.binlogName ?? "mysql-bin.000001"):\(step.binlogPos ?? 4)")
        case .sourceTables:
            try await subtask.shardDDL.reportSourceTables(step.tables ?? [])
            self.record(key, "source_tables", epoch: subtask.bindingEpoch)
        case .gate:
            let gate = self.scriptDirectory.appendingPathComponent("\(step.name ?? "gate").gate").path
            self.record(key, "gate_waiting", detail: step.name)
            // A fixture polling a file the test creates; cancellation (stop, lease lapse) ends the wait.
            while !FileManager.default.fileExists(atPath: gate) {
                try await Task.sleep(for: .milliseconds(50))
            }
        case .ddl:
            let info: ShardDDLInfo
            if step.mode == "optimistic" {
                guard let before = step.before else { throw SubtaskRunnerError("optimistic ddl step without before") }
                info = .optimistic(
                    OptimisticDDLInfo(
                        upSchema: step.upSchema ?? step.schema ?? "", upTable: step.upTable ?? step.table ?? "",
                        downSchema: step.downSchema ?? step.schema ?? "", downTable: step.downTable ?? step.table ?? "",
                        ddls: step.ddls ?? [], before: before, after: step.after ?? [], strict: step.strict ?? false))
            } else {
                info = .pessimistic(schema: step.schema ?? "", table: step.table ?? "", ddls: step.ddls ?? [])
            }
            var current = info
            while true {
                let decision = try await subtask.shardDDL.coordinate(current) { decision in
                    // The scripted "downstream" is the record file: exec or skip is all there is to do.
                    self.record(key, decision.exec ? "exec" : "skip", lockID: decision.lockID, ddls: decision.ddls,
                        epoch: subtask.bindingEpoch, detail: decision.stage)
                }
                guard decision.skipsUntilRedirect, case .optimistic(var o) = current else { break }
                // As the Syncer does: wait for the redirect (or an unlock), then replay the same report.
                var replayAfter: Int64?
                while replayAfter == nil {
                    try await Task.sleep(for: .milliseconds(50))
                    replayAfter = await subtask.shardDDL.redirect(upSchema: o.upSchema, upTable: o.upTable, after: decision.operationID)
                }
                o.replayAfter = replayAfter
                current = .optimistic(o)
            }
        }
    }

    private func record(
        _ key: SubtaskKey, _ event: String, lockID: String? = nil, ddls: [String]? = nil, epoch: Int64? = nil,
        detail: String? = nil
    ) {
        let record = Record(subtask: "\(key)", event: event, lockID: lockID, ddls: ddls, epoch: epoch, detail: detail)
        self.logger.debug("runner.scripted.\(event)", metadata: ["subtask": "\(key)"])
        self.eventSink.yield(record)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard var line = try? encoder.encode(record) else { return }
        line.append(0x0A)
        let url = self.recordURL(key)
        self.fileLock.withLock { _ in
            if let handle = try? FileHandle(forWritingTo: url) {
                handle.seekToEndOfFile()
                handle.write(line)
                try? handle.close()
            } else {
                try? line.write(to: url)
            }
        }
    }
}
