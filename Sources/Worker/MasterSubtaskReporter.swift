import API
import Domain
import Logging
import MasterClient
import Synchronization

/// The last status sent per subtask, so status is reported on change only.
final class StatusLedger: Sendable {
    private let sent = Mutex<[SubtaskKey: Components.Schemas.SubtaskStatus]>([:])

    /// `true` when `status` differs from what was last sent for its subtask (and records it).
    func shouldSend(_ key: SubtaskKey, _ status: Components.Schemas.SubtaskStatus) -> Bool {
        self.sent.withLock { sent in
            if sent[key] == status { return false }
            sent[key] = status
            return true
        }
    }

    func forget(_ key: SubtaskKey) {
        self.sent.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// A new leader starts with an empty status board, and a subtask whose status does not change
    /// would never be reported to it: send it every subtask's last status, each in its line.
    func resendAll(_ send: @Sendable (Components.Schemas.SubtaskStatus) async -> Bool) async {
        for key in self.sent.withLock({ Array($0.keys) }) {
            await self.inLine(key) {
                guard let status = self.sent.withLock({ $0[key] }) else { return }
                if !(await send(status)) { self.forget(key) }
            }
        }
    }

    /// One report in flight per subtask, sent in the order asked: two concurrent HTTP reports can
    /// reach the master in either order, and a late `Running` must not land after the `Paused`.
    private let lines = Mutex<[SubtaskKey: [CheckedContinuation<Void, Never>]]>([:])

    func inLine<T>(_ key: SubtaskKey, _ body: () async -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let first = self.lines.withLock { lines in
                guard lines[key] != nil else {
                    lines[key] = []
                    return true
                }
                lines[key]!.append(continuation)
                return false
            }
            if first { continuation.resume() }
        }
        let result = await body()
        let next = self.lines.withLock { lines -> CheckedContinuation<Void, Never>? in
            guard lines[key]?.isEmpty == false else {
                lines[key] = nil
                return nil
            }
            return lines[key]!.removeFirst()
        }
        next?.resume()
        return result
    }
}

/// `SubtaskReporter` for one subtask under one binding epoch.
struct MasterSubtaskReporter: SubtaskReporter {
    let client: MasterClient
    let worker: String
    let key: SubtaskKey
    let bindingEpoch: Int64
    let ledger: StatusLedger
    let statusBoard: WorkerStatusBoard
    let logger: Logger

    func checkpoint(binlogName: String, binlogPos: UInt32, gtid: String?) async throws(ShardDDLError) {
        do {
            _ = try await self.client.reportCheckpoint(
                worker: self.worker,
                .init(
                    task: self.key.task, source: self.key.source, binding_epoch: self.bindingEpoch,
                    binlog_name: binlogName, binlog_pos: Int64(binlogPos), gtid: gtid))
        } catch {
            throw MasterShardDDLClient.wrap(error)
        }
    }

    func status(stage: SubtaskStage, unit: String?, error: String?, processedRows: Int64?) async {
        await self.send(
            Components.Schemas.SubtaskStatus(
                task: self.key.task, source: self.key.source,
                stage: .init(rawValue: stage.rawValue) ?? .Running, unit: unit, error: error,
                processed_rows: processedRows))
    }

    func failed(stage: SubtaskStage, unit: String, error: String, position: BinlogPosition?) async {
        await self.send(
            Components.Schemas.SubtaskStatus(
                task: self.key.task, source: self.key.source,
                stage: .init(rawValue: stage.rawValue) ?? .Paused, unit: unit, error: error,
                error_binlog_pos: position.map { "\($0.file):\($0.pos)" }))
    }

    func progress(unit: String, processedRows: Int64, totalRows: Int64?, rowsPerSecond: Double?) async {
        let percent = totalRows.flatMap { $0 > 0 ? min(100, Double(processedRows) * 100 / Double($0)) : nil }
        let eta = totalRows.flatMap { total in
            rowsPerSecond.flatMap { $0 > 0 ? max(0, Double(total - processedRows) / $0) : nil }
        }
        await self.send(
            Components.Schemas.SubtaskStatus(
                task: self.key.task, source: self.key.source, stage: .Running, unit: unit,
                processed_rows: processedRows, rows_per_second: rowsPerSecond.map { ($0 * 10).rounded() / 10 },
                percent: percent.map { ($0 * 10).rounded() / 10 }, total_rows: totalRows, eta_seconds: eta.map { $0.rounded() }),
            isProgress: true)
    }

    /// Sends `status` in line; its stage never contradicts the real one. Nothing runs while the view
    /// expects Paused, so a Running report then says Paused; a progress report (work finishing after
    /// a pause or an error) never changes the stage, so a paused subtask's is dropped.
    private func send(_ status: Components.Schemas.SubtaskStatus, isProgress: Bool = false) async {
        await self.ledger.inLine(self.key) {
            var status = status
            if status.stage == .Running, let stages = self.statusBoard.stages(self.key) {
                let paused = SubtaskStage.paused.rawValue
                if isProgress, stages.expected == paused || stages.reported == paused { return }
                if stages.expected == paused { status.stage = .Paused }
            }
            await self.deliver(status)
        }
    }

    private func deliver(_ status: Components.Schemas.SubtaskStatus) async {
        self.statusBoard.reported(self.key, stage: SubtaskStage(rawValue: status.stage.rawValue) ?? .running, error: status.error)
        guard self.ledger.shouldSend(self.key, status) else { return }
        do {
            try await self.client.reportSubtaskStatus(worker: self.worker, status)
        } catch {
            // Status is advisory; the next change reports again.
            self.ledger.forget(self.key)
            self.logger.warning("worker.status.report_failed", metadata: ["subtask": "\(self.key)", "error": "\(error)"])
        }
    }
}
