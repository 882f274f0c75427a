import Foundation
public import Domain
public import MySQLClient
public import Schema

/// The subtask's checkpoint on the downstream: `<meta>.<task>_syncer_checkpoint`, one table per task,
/// rows keyed by source.
///
/// Rows, all with `id` = the source:
/// - the global row (`cp_schema` = `cp_table` = '', `slot` = -1): the binding epoch that owns the
///   subtask (fencing) and where a restart resumes (also what `query-status` reports);
/// - one table-info row per upstream table (`slot` = -1): its schema as JSON, as of its last DDL;
/// - one point row per upstream table and writer slot (`slot` >= 0): see ``CheckpointPoints``;
/// - the schema-operations row (`cp_schema` = `cp_table` = '', `slot` = -2): in `binlog_pos`, the highest
///   `binlog-schema update|delete` id applied to the table-info rows (written in the same transaction).
///
/// Writers write their point rows in the same transaction as their rows, after taking a shared lock
/// on the global row and checking its epoch; a new binding takes the global row exclusively to bump
/// the epoch, which waits for those transactions and fails all later ones of the old binding.
public struct CheckpointTable: Sendable {
    public let name: TableName
    public let source: String
    public let epoch: Int64

    public init(metaSchema: String, task: String, source: String, epoch: Int64) {
        self.name = TableName(metaSchema, "\(task)_syncer_checkpoint")
        self.source = source
        self.epoch = epoch
    }

    /// What a subtask finds when it starts.
    public struct Loaded: Sendable {
        /// `nil` when the subtask has never run (or its meta was removed).
        public var resume: BinlogPosition?
        public var gtid: String?
        public var tableInfos: [TableName: TableInfo]
        public var points: CheckpointPoints
        /// Set when the points were written with another `worker-count`: changes then map to other
        /// writers, so every table resumes from its earliest point with safe mode on until here.
        public var safeModeUntil: BinlogPosition?
        /// The highest schema operation id applied to `tableInfos` (0: none).
        public var schemaOperationsApplied: UInt64 = 0
    }

    /// The slot of the schema-operations row.
    static let schemaOperationsSlot = -2

    var sourceLiteral: String { Self.quote(self.source) }

    public var createStatements: [String] {
        [
            "CREATE DATABASE IF NOT EXISTS \(quoteIdentifier(self.name.schema))",
            """
            CREATE TABLE IF NOT EXISTS \(self.name.quoted) (
              `id` VARCHAR(128) NOT NULL,
              `cp_schema` VARCHAR(128) NOT NULL,
              `cp_table` VARCHAR(128) NOT NULL,
              `slot` INT NOT NULL,
              `binlog_name` VARCHAR(255) NOT NULL DEFAULT '',
              `binlog_pos` INT UNSIGNED NOT NULL DEFAULT 0,
              `binlog_gtid` TEXT NULL,
              `table_info` LONGTEXT NULL,
              `is_global` TINYINT(1) NOT NULL DEFAULT 0,
              `epoch` BIGINT NOT NULL DEFAULT 0,
              `create_time` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
              `update_time` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
              PRIMARY KEY (`id`, `cp_schema`, `cp_table`, `slot`)
            ) DEFAULT CHARSET=utf8mb4
            """,
        ]
    }

    /// Creates the table, takes ownership for this epoch, and reads everything back.
    /// - Throws: `.fenced` if a newer binding already owns the subtask.
    public func claimAndLoad(_ session: borrowing MySQLSession, writerCount: Int) throws(ReplicationError) -> Loaded {
        do {
            for statement in self.createStatements { try session.execute(statement) }
            return try session.transaction { (session) throws(MySQLError) -> Result<Loaded, ReplicationError> in
                // Insert-if-missing first, so two sources starting at once never meet on a gap lock;
                // a fresh row belongs to this epoch from its first statement, even for a full copy.
                try session.execute(
                    "INSERT IGNORE INTO \(self.name.quoted) (`id`,`cp_schema`,`cp_table`,`slot`,`is_global`,`epoch`) VALUES (\(self.sourceLiteral),'','',-1,1,\(self.epoch))")
                let global = try session.query(
                    "SELECT `epoch` FROM \(self.name.quoted) WHERE `id`=\(self.sourceLiteral) AND `cp_schema`='' AND `cp_table`='' AND `slot`=-1 FOR UPDATE")
                let owner = Int64(global.rows.first?.string(0) ?? "0") ?? 0
                if owner > self.epoch {
                    return .failure(self.fencedError(owner: owner))
                }
                if owner < self.epoch {
                    try session.execute(
                        "UPDATE \(self.name.quoted) SET `epoch`=\(self.epoch) WHERE `id`=\(self.sourceLiteral) AND `cp_schema`='' AND `cp_table`='' AND `slot`=-1")
                }
                return .success(try self.load(session, writerCount: writerCount))
            }.get()
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.downstream, "checkpoint \(self.name): \(error)")
        }
    }

    private func load(_ session: borrowing MySQLSession, writerCount: Int) throws(MySQLError) -> Loaded {
        let result = try session.query(
            "SELECT `cp_schema`,`cp_table`,`slot`,`binlog_name`,`binlog_pos`,`binlog_gtid`,`table_info` FROM \(self.name.quoted) WHERE `id`=\(self.sourceLiteral)")
        var loaded = Loaded(
            resume: nil, gtid: nil, tableInfos: [:], points: CheckpointPoints(writerCount: writerCount),
            safeModeUntil: nil)
        let decoder = JSONDecoder()
        var sawExtraSlot = false
        var extraSlots: [TableName: [BinlogPosition]] = [:]
        for row in result.rows {
            let schema = row.string(0) ?? ""
            let table = row.string(1) ?? ""
            let slot = Int(row.string(2) ?? "-1") ?? -1
            let position = BinlogPosition(file: row.string(3) ?? "", pos: UInt32(row.string(4) ?? "0") ?? 0)
            if schema.isEmpty && table.isEmpty && slot == Self.schemaOperationsSlot {
                loaded.schemaOperationsApplied = UInt64(row.string(4) ?? "0") ?? 0
                continue
            }
            if schema.isEmpty && table.isEmpty {
                if !position.file.isEmpty { loaded.resume = position }
                loaded.gtid = row.string(5)
                continue
            }
            let name = TableName(schema, table)
            if slot < 0 {
                if let json = row[6], let info = try? decoder.decode(TableInfo.self, from: Data(json)) {
                    loaded.tableInfos[name] = info
                }
            } else if slot < writerCount, !position.file.isEmpty {
                loaded.points.advance(name, writer: slot, to: position)
            } else if !position.file.isEmpty {
                sawExtraSlot = true
                extraSlots[name, default: []].append(position)
                if loaded.points.points[name] == nil { loaded.points.remove(name) }
            }
        }
        // A changed worker-count (slots missing or beyond the count) breaks the slot mapping: fall back
        // to each table's earliest point and replay up to its latest in safe mode.
        let reshaped = sawExtraSlot || loaded.points.points.values.contains { $0.contains { $0 == nil } }
        if reshaped {
            var points = CheckpointPoints(writerCount: writerCount)
            for (name, slots) in loaded.points.points {
                let known = slots.compactMap { $0 } + (extraSlots[name] ?? [])
                guard let floor = known.min(), let ceiling = known.max() else { continue }
                points.setAll(name, to: floor)
                loaded.safeModeUntil = max(loaded.safeModeUntil ?? ceiling, ceiling)
            }
            loaded.points = points
        }
        return loaded
    }

    /// Reads what a subtask would start from, without claiming or creating anything (for the master's
    /// `binlog-schema list`); a checkpoint table that does not exist yet reads as empty.
    public func read(_ session: borrowing MySQLSession) throws(MySQLError) -> Loaded {
        do {
            return try self.load(session, writerCount: 1)
        } catch where error.serverErrno == 1146 {  // ER_NO_SUCH_TABLE: the subtask never ran
            return Loaded(resume: nil, gtid: nil, tableInfos: [:], points: CheckpointPoints(writerCount: 1), safeModeUntil: nil)
        }
    }

    /// Records that schema operations up to `id` are applied (with their table-info rows, in one transaction).
    public func schemaOperationsStatement(applied id: UInt64) -> String {
        """
        INSERT INTO \(self.name.quoted) (`id`,`cp_schema`,`cp_table`,`slot`,`binlog_name`,`binlog_pos`,`epoch`) \
        VALUES (\(self.sourceLiteral),'','',\(Self.schemaOperationsSlot),'',\(id),\(self.epoch)) \
        ON DUPLICATE KEY UPDATE `binlog_pos`=VALUES(`binlog_pos`)
        """
    }

    /// Forgets a table's tracked schema but keeps its points: the next start re-reads it upstream.
    public func clearTableInfoStatement(_ table: TableName) -> String {
        "UPDATE \(self.name.quoted) SET `table_info`=NULL WHERE `id`=\(self.sourceLiteral) AND `cp_schema`=\(Self.quote(table.schema)) AND `cp_table`=\(Self.quote(table.table)) AND `slot`=-1"
    }

    /// Deletes this source's rows (`start-task --remove-meta`).
    public func removeStatements() -> [String] {
        self.createStatements + ["DELETE FROM \(self.name.quoted) WHERE `id`=\(self.sourceLiteral)"]
    }

    /// Inside a writer's transaction, first: share-locks the global row and checks the epoch.
    public func fence(_ session: borrowing MySQLSession, exclusive: Bool = false) throws(MySQLError) -> Int64? {
        let lock = exclusive ? "FOR UPDATE" : "LOCK IN SHARE MODE"
        let result = try session.query(
            "SELECT `epoch` FROM \(self.name.quoted) WHERE `id`=\(self.sourceLiteral) AND `cp_schema`='' AND `cp_table`='' AND `slot`=-1 \(lock)")
        guard let row = result.rows.first else { return nil }
        let owner = Int64(row.string(0) ?? "0") ?? 0
        return owner == self.epoch ? nil : owner
    }

    /// Runs `statements` in one transaction that first checks the epoch (shared lock for writers,
    /// exclusive for whoever rewrites the global row). Fenced or failed, nothing is written.
    /// - Throws: `.fenced` if a newer binding owns the subtask; `.downstream` (prefixed by `what`) on a server error.
    public func runFenced(
        on connection: MySQLConnection, exclusive: Bool = false, fenced: Bool = true, _ statements: [String], what: String
    ) async throws(ReplicationError) {
        let owner: Int64?
        do {
            owner = try await connection.withSession { (session) throws(MySQLError) -> Int64? in
                try session.begin()
                do throws(MySQLError) {
                    if fenced, let owner = try self.fence(session, exclusive: exclusive) {
                        try session.rollback()
                        return owner
                    }
                    for statement in statements { try session.execute(statement) }
                    try session.commit()
                    return nil
                } catch {
                    try? session.rollback()
                    throw error
                }
            }
        } catch {
            throw ReplicationError(.downstream, "\(what): \(error)", serverErrno: error.code == .server ? error.serverErrno : nil)
        }
        if let owner { throw self.fencedError(owner: owner) }
    }

    func fencedError(owner: Int64) -> ReplicationError {
        ReplicationError(
            .fenced,
            "binding epoch \(owner) owns source \(self.source) in \(self.name); this worker's epoch \(self.epoch) is stale and stops writing")
    }

    /// Upserts point rows: one per (table, slot).
    public func pointsStatement(_ points: [(table: TableName, slot: Int, position: BinlogPosition)]) -> String? {
        guard !points.isEmpty else { return nil }
        var sql = "INSERT INTO \(self.name.quoted) (`id`,`cp_schema`,`cp_table`,`slot`,`binlog_name`,`binlog_pos`,`epoch`) VALUES "
        sql += points.map { point in
            "(\(self.sourceLiteral),\(Self.quote(point.table.schema)),\(Self.quote(point.table.table)),\(point.slot),\(Self.quote(point.position.file)),\(point.position.pos),\(self.epoch))"
        }.joined(separator: ",")
        sql += " ON DUPLICATE KEY UPDATE `binlog_name`=VALUES(`binlog_name`),`binlog_pos`=VALUES(`binlog_pos`),`epoch`=VALUES(`epoch`)"
        return sql
    }

    /// Writes the global row: the resume position and its GTID set.
    public func globalStatement(resume: BinlogPosition, gtid: String?) -> String {
        """
        INSERT INTO \(self.name.quoted) (`id`,`cp_schema`,`cp_table`,`slot`,`binlog_name`,`binlog_pos`,`binlog_gtid`,`is_global`,`epoch`) \
        VALUES (\(self.sourceLiteral),'','',-1,\(Self.quote(resume.file)),\(resume.pos),\(gtid.map(Self.quote) ?? "NULL"),1,\(self.epoch)) \
        ON DUPLICATE KEY UPDATE `binlog_name`=VALUES(`binlog_name`),`binlog_pos`=VALUES(`binlog_pos`),`binlog_gtid`=VALUES(`binlog_gtid`)
        """
    }

    /// Saves a table's schema (after its DDL, or when first seen).
    public func tableInfoStatement(_ table: TableName, _ info: TableInfo, at position: BinlogPosition) -> String {
        let json = (try? JSONEncoder().encode(info)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return """
            INSERT INTO \(self.name.quoted) (`id`,`cp_schema`,`cp_table`,`slot`,`binlog_name`,`binlog_pos`,`table_info`,`epoch`) \
            VALUES (\(self.sourceLiteral),\(Self.quote(table.schema)),\(Self.quote(table.table)),-1,\(Self.quote(position.file)),\(position.pos),\(Self.quote(json)),\(self.epoch)) \
            ON DUPLICATE KEY UPDATE `binlog_name`=VALUES(`binlog_name`),`binlog_pos`=VALUES(`binlog_pos`),`table_info`=VALUES(`table_info`)
            """
    }

    /// Removes a dropped table's rows.
    public func dropTableStatement(_ table: TableName) -> String {
        "DELETE FROM \(self.name.quoted) WHERE `id`=\(self.sourceLiteral) AND `cp_schema`=\(Self.quote(table.schema)) AND `cp_table`=\(Self.quote(table.table))"
    }

    /// A string literal that is safe whatever the session's `NO_BACKSLASH_ESCAPES` says: hex-encoded.
    static func quote(_ text: String) -> String {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "''" }
        return "_utf8mb4 X'" + bytes.map { String(format: "%02x", $0) }.joined() + "'"
    }
}
