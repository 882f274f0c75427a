import Domain
import Logging
import MySQLClient
import Schema

extension Syncer {
    struct StartPoint {
        var position: BinlogPosition
        var gtid: String?
    }

    /// Connects, claims the checkpoint for this epoch, loads the schemas, and finds where to start.
    func prepare() async throws(ReplicationError) -> StartPoint {
        let control: MySQLConnection
        do {
            control = try await MySQLConnection.connect(self.config.downstream)
        } catch {
            throw ReplicationError(.downstream, "cannot connect to the downstream: \(error)")
        }
        self.control = control
        let checkpoint = self.checkpoint
        let writerCount = self.points.writerCount
        var loaded: CheckpointTable.Loaded
        do {
            loaded = try await control.withSession { (session) throws(MySQLError) -> Result<CheckpointTable.Loaded, ReplicationError> in
                do throws(ReplicationError) {
                    return .success(try checkpoint.claimAndLoad(session, writerCount: writerCount))
                } catch {
                    return .failure(error)
                }
            }.get()
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.downstream, "checkpoint \(checkpoint.name): \(error)")
        }

        try await self.applySchemaOperations(to: &loaded, control: control)

        let upstream: MySQLConnection
        do {
            upstream = try await MySQLConnection.connect(self.config.upstream)
        } catch {
            throw ReplicationError(.upstream, "cannot connect to source \(self.config.source.sourceID): \(error)")
        }
        defer { Task.detached { await upstream.close() } }

        try await self.checkBinlogSettings(upstream)
        var fresh: [TableName] = []
        for table in try await self.upstreamTables(upstream) {
            if let info = loaded.tableInfos[table] {
                self.tracker.set(table, info)
            } else {
                try self.tracker.load(table, createTableSQL: try await self.showCreateTable(table, upstream))
                fresh.append(table)
            }
        }
        for (table, info) in loaded.tableInfos where self.tracker.info(table) == nil {
            self.tracker.set(table, info)  // dropped upstream since, but the binlog still has its events
        }

        let start: StartPoint
        if self.config.task.taskMode != .incremental, loaded.points.points.isEmpty, loaded.resume == nil {
            let loader = SnapshotLoader(config: self.config, router: self.router, checkpoint: checkpoint)
            let outcome = try await loader.run(control: control)
            self.loadedRows = outcome.rows
            self.safeModeUntil = outcome.safeModeUntil
            start = StartPoint(position: outcome.start, gtid: outcome.gtid)
            // Tables the copy created are tracked from the snapshot's schema.
            for table in try await self.upstreamTables(upstream) where self.tracker.info(table) == nil {
                try self.tracker.load(table, createTableSQL: try await self.showCreateTable(table, upstream))
                fresh.append(table)
            }
        } else if let resume = loaded.points.earliest ?? loaded.resume {
            start = StartPoint(position: min(resume, loaded.resume ?? resume), gtid: loaded.gtid)
            self.points = loaded.points
            self.safeModeUntil = loaded.safeModeUntil
        } else if let meta = self.config.task.instance(for: self.config.source.sourceID)?.meta, let position = meta.position {
            start = StartPoint(position: position, gtid: meta.binlogGTID.isEmpty ? nil : meta.binlogGTID)
        } else {
            start = try await self.masterStatus(upstream)
        }
        for table in self.tracker.tableNames {
            self.trackedThrough[table] = loaded.tableInfos[table] == nil ? start.position : nil
            if loaded.points.points[table] == nil { self.points.setAll(table, to: start.position) }
        }
        self.position = start.position
        self.gtid = start.gtid
        self.persisted = loaded.points

        for table in self.tracker.tableNames where self.router.allows(table) {
            self.groups.join(table, target: self.router.route(table))
        }
        try await self.createTargets(fresh)

        let writers = try await WriterPool.connect(
            self.config.downstream, count: writerCount, checkpoint: checkpoint, safeMode: self.syncer.safeMode,
            rowsPerStatement: max(1, self.syncer.batch))
        self.writers = writers
        try await self.persist(tableInfos: fresh, dropped: [])
        try await self.reportSourceTables()
        self.logger.info(
            "sync.start",
            metadata: [
                "task": "\(self.config.task.name)", "source": "\(self.config.source.sourceID)",
                "position": "\(start.position)", "tables": "\(self.tracker.tableNames.count)",
                "resumed": "\(loaded.resume != nil)",
            ])
        return start
    }

    /// `binlog-schema update|delete`: the operations above the id the checkpoint records replace (or
    /// clear) their tables' table-info rows, and the new id is recorded, in one fenced transaction. The
    /// subtask then starts from those rows as from any checkpoint: an updated table is tracked with the
    /// operator's schema from the resume position on, a deleted one is re-read upstream. A statement
    /// that cannot be tracked pauses the subtask naming it, with nothing written.
    func applySchemaOperations(to loaded: inout CheckpointTable.Loaded, control: MySQLConnection) async throws(ReplicationError) {
        let pending = self.config.schemaOperations.filter { $0.id > loaded.schemaOperationsApplied }.sorted { $0.id < $1.id }
        guard let last = pending.last else { return }
        let at = loaded.resume ?? BinlogPosition(file: "", pos: BinlogPosition.minimumPos)
        var infos = loaded.tableInfos
        var statements: [String] = []
        for operation in pending {
            let table = TableName(operation.schema, operation.table)
            if let sql = operation.createTable {
                var scratch = SchemaTracker()
                try scratch.load(table, createTableSQL: sql)
                guard let info = scratch.info(table) else { continue }
                infos[table] = info
                statements.append(self.checkpoint.tableInfoStatement(table, info, at: at))
            } else {
                infos[table] = nil
                statements.append(self.checkpoint.clearTableInfoStatement(table))
            }
        }
        statements.append(self.checkpoint.schemaOperationsStatement(applied: last.id))
        try await self.checkpoint.runFenced(on: control, statements, what: "binlog-schema operations")
        loaded.tableInfos = infos
        loaded.schemaOperationsApplied = last.id
        self.logger.info(
            "sync.schema_operations_applied",
            metadata: [
                "task": "\(self.config.task.name)", "source": "\(self.config.source.sourceID)",
                "operations": "\(pending.map(\.description))",
            ])
    }

    /// The source must log full row images in ROW format; say exactly what to change when it does not.
    func checkBinlogSettings(_ upstream: MySQLConnection) async throws(ReplicationError) {
        let row: MySQLRow?
        do {
            row = try await upstream.query("SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image").rows.first
        } catch {
            throw ReplicationError(.upstream, "reading the binlog settings of source \(self.config.source.sourceID): \(error)")
        }
        let logBin = row?.string(0) ?? "0"
        let format = (row?.string(1) ?? "").uppercased()
        let image = (row?.string(2) ?? "").uppercased()
        var problems: [String] = []
        if logBin != "1" && logBin.uppercased() != "ON" { problems.append("log_bin is off (start the server with --log-bin)") }
        if format != "ROW" { problems.append("binlog_format is \(format), not ROW") }
        if image != "FULL" { problems.append("binlog_row_image is \(image), not FULL") }
        guard problems.isEmpty else {
            throw ReplicationError(
                .configuration, "source \(self.config.source.sourceID) cannot be replicated: " + problems.joined(separator: "; "))
        }
    }

    /// Every base table upstream that the block-allow list lets through.
    func upstreamTables(_ upstream: MySQLConnection) async throws(ReplicationError) -> [TableName] {
        let result: MySQLResultSet
        do {
            result = try await upstream.query(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE='BASE TABLE'")
        } catch {
            throw ReplicationError(.upstream, "cannot list tables: \(error)")
        }
        return result.rows.compactMap { row -> TableName? in
            guard let schema = row.string(0), let table = row.string(1) else { return nil }
            let name = TableName(schema, table)
            return self.router.allows(name) ? name : nil
        }.sorted()
    }

    func showCreateTable(_ table: TableName, _ upstream: MySQLConnection) async throws(ReplicationError) -> String {
        do {
            let result = try await upstream.query("SHOW CREATE TABLE \(table.quoted)")
            guard let text = result.rows.first?.string(1) else {
                throw ReplicationError(.upstream, "SHOW CREATE TABLE \(table) returned nothing")
            }
            return text
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.upstream, "SHOW CREATE TABLE \(table): \(error)")
        }
    }

    func masterStatus(_ upstream: MySQLConnection) async throws(ReplicationError) -> StartPoint {
        do {
            let result = try await upstream.query("SHOW MASTER STATUS")
            guard let row = result.rows.first, let file = row.string(0), let pos = row.string(1).flatMap({ UInt32($0) })
            else {
                throw ReplicationError(
                    .upstream, "source \(self.config.source.sourceID) has no binlog (SHOW MASTER STATUS is empty): enable log_bin")
            }
            let gtid = try? await upstream.query("SELECT @@GLOBAL.gtid_binlog_pos").rows.first?.string(0)
            return StartPoint(position: BinlogPosition(file: file, pos: pos), gtid: gtid ?? nil)
        } catch let error as ReplicationError {
            throw error
        } catch {
            throw ReplicationError(.upstream, "SHOW MASTER STATUS: \(error)")
        }
    }

    /// Creates the downstream databases and tables of newly seen upstream tables (as DM's full mode
    /// would before an incremental task): routed, `IF NOT EXISTS`, so shards share one target.
    func createTargets(_ tables: [TableName]) async throws(ReplicationError) {
        var statements: [String] = []
        var schemas: Set<String> = []
        for table in tables {
            guard let info = self.tracker.info(table) else { continue }
            let target = self.router.route(table)
            if schemas.insert(target.schema).inserted {
                statements.append("CREATE DATABASE IF NOT EXISTS \(quoteIdentifier(target.schema))")
            }
            var create = info.createTable
            create.ifNotExists = true
            statements.append(
                DDLStatement.createTable(create).rendered(renaming: { _ in QualifiedName(schema: target.schema, target.table) }))
        }
        guard !statements.isEmpty, let control = self.control else { return }
        for statement in statements {
            try await self.executeDDL(statement, on: control)
        }
    }
}

extension Syncer {
    /// Optimistic mode: tells the master this source's routed tables and their schemas, at the start
    /// and after every CREATE, DROP or RENAME of a table, so a dropped shard leaves its locks and a
    /// new one joins them (DM re-sends its source tables the same way).
    func reportSourceTables() async throws(ReplicationError) {
        guard self.config.task.shardMode == .optimistic else { return }
        let tables = self.tracker.tableNames.filter { self.router.allows($0) }.compactMap { table in
            self.tracker.info(table).map { (upstream: table, target: self.router.route(table), info: $0) }
        }
        try await self.config.coordinator.reportSourceTables(tables)
    }
}
