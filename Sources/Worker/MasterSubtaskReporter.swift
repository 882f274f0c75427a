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
                percent: percent.map { ($0 * 10).rounded() / 10 }, total_rows: totalRows, eta_seconds: eta.map { $0.rounded() }))
    }

    private func send(_ status: Components.Schemas.SubtaskStatus) async {
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
