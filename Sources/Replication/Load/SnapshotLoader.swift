import Foundation
public import Domain
import Logging
import MySQLClient
import Schema

/// `task-mode: all | full`: copies every replicated table of one source from a consistent snapshot,
/// in key order, chunk by chunk, each chunk committed downstream together with its load checkpoint.
///
/// Resuming after a crash takes a *new* snapshot and continues after the last committed key. Rows
/// copied before the crash may have changed since, so the binlog is then replayed from the *first*
/// snapshot's position with safe mode on until the last snapshot's position (the one inconsistent
/// window safe mode exists for, ARCHITECTURE.md). A copy that never crashed needs no safe mode.
public struct SnapshotLoader: Sendable {
    public struct Outcome: Sendable, Hashable {
        /// Where incremental replication starts: the first snapshot's position.
        public var start: BinlogPosition
        public var gtid: String?
        /// Safe mode stays on until this position (the last snapshot's), if the copy was resumed.
        public var safeModeUntil: BinlogPosition?
        public var rows: Int64
    }

    let config: SyncerConfiguration
    let router: Router
    let checkpoint: CheckpointTable
    var logger: Logger { self.config.logger }
    /// Rows per chunk (one SELECT, one downstream transaction).
    let chunkRows: Int

    init(config: SyncerConfiguration, router: Router, checkpoint: CheckpointTable, chunkRows: Int = 2000) {
        self.config = config
        self.router = router
        self.checkpoint = checkpoint
        self.chunkRows = chunkRows
    }

    var table: TableName { TableName(self.checkpoint.name.schema, "\(self.config.task.name)_loader_checkpoint") }
    var sourceLiteral: String { CheckpointTable.quote(self.checkpoint.source) }

    var createStatement: String {
        """
        CREATE TABLE IF NOT EXISTS \(self.table.quoted) (
          `id` VARCHAR(128) NOT NULL,
          `cp_schema` VARCHAR(128) NOT NULL,
          `cp_table` VARCHAR(128) NOT NULL,
          `last_key` LONGTEXT NULL,
          `rows` BIGINT NOT NULL DEFAULT 0,
          `done` TINYINT(1) NOT NULL DEFAULT 0,
          `first_name` VARCHAR(255) NULL, `first_pos` INT UNSIGNED NULL, `first_gtid` TEXT NULL,
          `last_name` VARCHAR(255) NULL, `last_pos` INT UNSIGNED NULL,
          `update_time` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
          PRIMARY KEY (`id`, `cp_schema`, `cp_table`)
        ) DEFAULT CHARSET=utf8mb4
        """
    }

    struct SourceState {
        var first: BinlogPosition?
        var firstGTID: String?
        var last: BinlogPosition?
        var done: Bool
        var tables: [TableName: (lastKey: [String]?, rows: Int64, done: Bool)]
    }

    /// Copies what is left to copy; returns at once when the copy already finished.
    func run(control: MySQLConnection) async throws(ReplicationError) -> Outcome {
        var state = try await self.loadState(control)
        if state.done, let first = state.first {
            return Outcome(
                start: first, gtid: state.firstGTID, safeModeUntil: state.last.flatMap { $0 > first ? $0 : nil },
                rows: state.tables.values.reduce(0) { $0 + $1.rows })
        }
        let snapshot: MySQLConnection
        do {
            snapshot = try await MySQLConnection.connect(self.config.upstream)
        } catch {
            throw ReplicationError(.upstream, "cannot connect to source \(self.config.source.sourceID): \(error)")
        }
        defer { Task.detached { await snapshot.close() } }
        let (position, gtid, tables) = try await self.openSnapshot(snapshot)
        let resumed = state.first != nil
        if state.first == nil {
            state.first = position
            state.firstGTID = gtid
        }
        state.last = position
        try await self.run(
            control,
            [
                "INSERT INTO \(self.table.quoted) (`id`,`cp_schema`,`cp_table`,`first_name`,`first_pos`,`first_gtid`,`last_name`,`last_pos`) VALUES (\(self.sourceLiteral),'','',\(CheckpointTable.quote(state.first!.file)),\(state.first!.pos),\(state.firstGTID.map(CheckpointTable.quote) ?? "NULL"),\(CheckpointTable.quote(position.file)),\(position.pos)) ON DUPLICATE KEY UPDATE `last_name`=VALUES(`last_name`),`last_pos`=VALUES(`last_pos`)"
            ])
        self.logger.info(
            "load.snapshot",
            metadata: ["source": "\(self.config.source.sourceID)", "position": "\(position)", "resumed": "\(resumed)", "tables": "\(tables.count)"])

        let estimate = try await self.estimateRows(snapshot, tables)
        var copied = state.tables.values.reduce(Int64(0)) { $0 + $1.rows }
        let started = ContinuousClock.now
        var copiedThisRun: Int64 = 0
        var lastReport = ContinuousClock.now - .seconds(1)
        for table in tables {
            let progress = state.tables[table]
            if progress?.done == true { continue }
            let count = try await self.copy(table, from: snapshot, to: control, after: progress?.lastKey) { rows in
                copied += Int64(rows)
                copiedThisRun += Int64(rows)
                // At most twice a second: progress is for people, not a per-chunk log.
                guard ContinuousClock.now - lastReport >= .milliseconds(500) else { return }
                lastReport = ContinuousClock.now
                let elapsed = (ContinuousClock.now - started).seconds
                let rate = elapsed > 0 ? Double(copiedThisRun) / elapsed : 0
                await self.config.reporter.progress(
                    SyncProgress(
                        unit: "Load", processedRows: copied, blockingLock: nil, totalRows: max(estimate, copied),
                        rowsPerSecond: rate))
            }
            self.logger.info("load.table", metadata: ["table": "\(table)", "rows": "\(count)"])
        }
        try await self.run(control, ["UPDATE \(self.table.quoted) SET `done`=1 WHERE `id`=\(self.sourceLiteral) AND `cp_schema`='' AND `cp_table`=''"])
        return Outcome(
            start: state.first!, gtid: state.firstGTID, safeModeUntil: resumed && position > state.first! ? position : nil,
            rows: copied)
    }

    private func loadState(_ control: MySQLConnection) async throws(ReplicationError) -> SourceState {
        do {
            try await control.execute("CREATE DATABASE IF NOT EXISTS \(quoteIdentifier(self.table.schema))")
            try await control.execute(self.createStatement)
            let result = try await control.query(
                "SELECT `cp_schema`,`cp_table`,`last_key`,`rows`,`done`,`first_name`,`first_pos`,`first_gtid`,`last_name`,`last_pos` FROM \(self.table.quoted) WHERE `id`=\(self.sourceLiteral)")
            var state = SourceState(first: nil, firstGTID: nil, last: nil, done: false, tables: [:])
            for row in result.rows {
                let schema = row.string(0) ?? "", table = row.string(1) ?? ""
                if schema.isEmpty && table.isEmpty {
                    if let name = row.string(5), let pos = row.string(6).flatMap({ UInt32($0) }) {
                        state.first = BinlogPosition(file: name, pos: pos)
                    }
                    state.firstGTID = row.string(7)
                    if let name = row.string(8), let pos = row.string(9).flatMap({ UInt32($0) }) {
                        state.last = BinlogPosition(file: name, pos: pos)
                    }
                    state.done = row.string(4) == "1"
                } else {
                    let key = row.string(2).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
                    state.tables[TableName(schema, table)] = (key, Int64(row.string(3) ?? "0") ?? 0, row.string(4) == "1")
                }
            }
            return state
        } catch {
            throw ReplicationError(.downstream, "load checkpoint \(self.table): \(error)")
        }
    }

    /// Starts a consistent snapshot and reads the binlog position it corresponds to.
    private func openSnapshot(_ snapshot: MySQLConnection) async throws(ReplicationError) -> (BinlogPosition, String?, [TableName]) {
        let router = self.router
        do {
            return try await snapshot.withSession { (session) throws(MySQLError) -> (BinlogPosition, String?, [TableName]) in
                try session.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                try session.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
                let status = try session.query("SHOW STATUS LIKE 'binlog_snapshot_%'")
                var values: [String: String] = [:]
                for row in status.rows { values[row.string(0) ?? ""] = row.string(1) ?? "" }
                let position = BinlogPosition(
                    file: values["Binlog_snapshot_file"] ?? "", pos: UInt32(values["Binlog_snapshot_position"] ?? "") ?? 4)
                let gtid = values["Binlog_snapshot_gtid_pos"]
                let tables = try session.query(
                    "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE='BASE TABLE'")
                    .rows.compactMap { row -> TableName? in
                        guard let s = row.string(0), let t = row.string(1) else { return nil }
                        let name = TableName(s, t)
                        return router.allows(name) ? name : nil
                    }.sorted()
                return (position, gtid, tables)
            }
        } catch {
            throw ReplicationError(.upstream, "starting a consistent snapshot: \(error)")
        }
    }

    private func estimateRows(_ snapshot: MySQLConnection, _ tables: [TableName]) async throws(ReplicationError) -> Int64 {
        var total: Int64 = 0
        for table in tables {
            let count = try? await snapshot.query("SELECT COUNT(*) FROM \(table.quoted)").rows.first?.string(0)
            total += Int64(count.flatMap { $0 }.flatMap { Int64($0) } ?? 0)
        }
        return total
    }

    /// Copies one table after `lastKey`, in key order. Returns the rows copied.
    private func copy(
        _ table: TableName, from snapshot: MySQLConnection, to control: MySQLConnection, after lastKey: [String]?,
        progress: (Int) async -> Void
    ) async throws(ReplicationError) -> Int64 {
        let create: String
        do {
            guard let text = try await snapshot.query("SHOW CREATE TABLE \(table.quoted)").rows.first?.string(1) else {
                throw ReplicationError(.upstream, "SHOW CREATE TABLE \(table) returned nothing")
            }
            create = text
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.upstream, "SHOW CREATE TABLE \(table): \(error)")
        }
        var tracker = SchemaTracker()
        try tracker.load(table, createTableSQL: create)
        guard let info = tracker.info(table), let shape = tracker.shape(table) else { return 0 }
        let target = self.router.route(table)
        var createTarget = info.createTable
        createTarget.ifNotExists = true
        try await self.run(
            control,
            [
                "CREATE DATABASE IF NOT EXISTS \(quoteIdentifier(target.schema))",
                DDLStatement.createTable(createTarget).rendered(renaming: { _ in QualifiedName(schema: target.schema, target.table) }),
            ], fenced: false)
        let columns = shape.writable.map { quoteIdentifier(shape.columnNames[$0]) }
        let keyColumns = shape.keyIsUnique ? shape.key.map { quoteIdentifier(shape.columnNames[$0]) } : []
        let keyPositions = shape.keyIsUnique ? shape.key.compactMap { shape.writable.firstIndex(of: $0) } : []
        var last = lastKey
        var total: Int64 = 0
        while true {
            var select = "SELECT \(columns.joined(separator: ",")) FROM \(table.quoted)"
            if !keyColumns.isEmpty {
                if let last { select += " WHERE (\(keyColumns.joined(separator: ","))) > (\(last.joined(separator: ",")))" }
                select += " ORDER BY \(keyColumns.joined(separator: ",")) LIMIT \(self.chunkRows)"
            }
            let result: MySQLResultSet
            do {
                result = try await snapshot.query(select)
            } catch {
                throw ReplicationError(.upstream, "copying \(table): \(error)")
            }
            if result.rows.isEmpty { break }
            var insert = "INSERT INTO \(target.quoted) (\(columns.joined(separator: ","))) VALUES "
            for (n, row) in result.rows.enumerated() {
                insert += n == 0 ? "(" : ",("
                for (i, column) in result.columns.enumerated() {
                    if i > 0 { insert += "," }
                    Self.appendTextLiteral(row[i], column, to: &insert)
                }
                insert += ")"
            }
            let lastRow = result.rows[result.rows.count - 1]
            let key = keyPositions.map { position -> String in
                var literal = ""
                Self.appendTextLiteral(lastRow[position], result.columns[position], to: &literal)
                return literal
            }
            let keyJSON = String(decoding: (try? JSONEncoder().encode(key)) ?? Data("null".utf8), as: UTF8.self)
            let done = keyColumns.isEmpty || result.rows.count < self.chunkRows
            total += Int64(result.rows.count)
            try await self.run(
                control,
                [
                    insert,
                    "INSERT INTO \(self.table.quoted) (`id`,`cp_schema`,`cp_table`,`last_key`,`rows`,`done`) VALUES (\(self.sourceLiteral),\(CheckpointTable.quote(table.schema)),\(CheckpointTable.quote(table.table)),\(CheckpointTable.quote(keyJSON)),\(result.rows.count),\(done ? 1 : 0)) ON DUPLICATE KEY UPDATE `last_key`=VALUES(`last_key`),`rows`=`rows`+VALUES(`rows`),`done`=VALUES(`done`)",
                ])
            await progress(result.rows.count)
            if done { break }
            last = key
        }
        if total == 0 {
            try await self.run(
                control,
                ["INSERT INTO \(self.table.quoted) (`id`,`cp_schema`,`cp_table`,`done`) VALUES (\(self.sourceLiteral),\(CheckpointTable.quote(table.schema)),\(CheckpointTable.quote(table.table)),1) ON DUPLICATE KEY UPDATE `done`=1"])
        }
        return total
    }

    /// A text-protocol value as an exact literal: numbers as they are, binary as hex, text as
    /// utf8mb4 hex (the connection charset the server converted it to).
    static func appendTextLiteral(_ value: [UInt8]?, _ column: MySQLColumn, to sql: inout String) {
        guard let value else {
            sql += "NULL"
            return
        }
        if column.isNumeric {
            sql += String(decoding: value, as: UTF8.self)
            return
        }
        if value.isEmpty {
            sql += "''"
            return
        }
        sql += column.charset == 63 ? "X'" : "_utf8mb4 X'"
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(value.count * 2)
        for byte in value {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0xF)])
        }
        sql += String(decoding: hex, as: UTF8.self)
        sql += "'"
    }

    /// Runs statements in one transaction on the downstream control connection, fenced by epoch.
    private func run(_ control: MySQLConnection, _ statements: [String], fenced: Bool = true) async throws(ReplicationError) {
        try await self.checkpoint.runFenced(on: control, fenced: fenced, statements, what: "loading into the downstream")
    }
}

extension MySQLColumn {
    /// Integer, decimal and floating-point columns, whose text form is a valid SQL literal.
    var isNumeric: Bool {
        // MYSQL_TYPE_DECIMAL 0, TINY 1, SHORT 2, LONG 3, FLOAT 4, DOUBLE 5, LONGLONG 8, INT24 9, NEWDECIMAL 246
        [0, 1, 2, 3, 4, 5, 8, 9, 246].contains(self.type)
    }
}

extension Duration {
    var seconds: Double { Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18 }
}
