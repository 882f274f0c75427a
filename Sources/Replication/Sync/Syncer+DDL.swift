import Domain
import Logging
import MySQLClient
import Schema

extension Syncer {
    /// Server errors a re-executed or shard-duplicated DDL raises when its effect is already there
    /// (DM's "ignorable DDL errors"): the table/database/column/key exists, or is already gone.
    /// 1054 (unknown column) is a CHANGE COLUMN whose old name another shard's identical rename already replaced.
    /// 1507 (a partition to drop does not exist) and 1517 (duplicate partition name) are a second
    /// shard's `DROP PARTITION` / `ADD PARTITION` that the first shard's already ran downstream.
    static let alreadyDoneErrors: Set<UInt32> = [1007, 1008, 1050, 1051, 1054, 1060, 1061, 1068, 1091, 1146, 1507, 1517]

    /// Handles one DDL event. Returns a position to rewind to when a pessimistic sharding group
    /// resolved with held tables whose events must now be re-read.
    func handle(_ ddl: UpstreamDDL) async throws(ReplicationError) -> BinlogPosition? {
        defer {
            self.position = max(self.position, ddl.end)
            if let gtid = ddl.gtid { self.gtid = gtid }
        }
        var ddl = ddl
        let qualified: DDLStatement
        if let operation = self.config.binlogOperation(ddl.start) {
            switch operation.action {
            case .skip:
                self.logger.info("sync.ddl.skipped", metadata: ["statement": "\(ddl.statement)", "position": "\(ddl.start)"])
                try await self.skip(ddl)
                return nil
            case .replace:
                qualified = try self.replacement(operation.statements, for: ddl)
                self.logger.info(
                    "sync.ddl.replaced",
                    metadata: ["statement": "\(ddl.statement)", "position": "\(ddl.start)", "with": "\(operation.statements)"])
                ddl.statement = operation.statements.joined(separator: "; ")
            }
        } else {
            guard let statement = try self.parse(ddl) else { return nil }
            qualified = statement.qualified(defaultSchema: ddl.schema)
        }
        switch qualified {
        case .createDatabase(let create):
            guard self.router.allowsSchema(create.name),
                !(try self.filtered(.createDatabase, on: nil, schema: create.name, sql: ddl.statement, at: ddl.start))
            else { return nil }
            try await self.executeBarrier(
                [qualified.rendered(renamingSchema: { self.router.routeSchema($0) })], ddl: ddl, tables: [])
            return nil
        case .dropDatabase(let drop):
            guard self.router.allowsSchema(drop.name) else { return nil }
            let dropped = try self.tracker.apply(qualified)
            for table in dropped { _ = self.groups.leave(table, target: self.router.route(table)) }
            let filtered = try self.filtered(.dropDatabase, on: nil, schema: drop.name, sql: ddl.statement, at: ddl.start)
            // Merging shards never drops the shared target database (dm-reference §2.1 step 2).
            let statements = self.isSharding || filtered ? [] : [qualified.rendered(renamingSchema: { self.router.routeSchema($0) })]
            try await self.executeBarrier(statements, ddl: ddl, tables: [], dropped: dropped)
            if !dropped.isEmpty { try await self.reportSourceTables() }
            return nil
        case .renameTable(let renames):
            try self.checkRename(renames, ddl)
            fallthrough
        case .createTable, .alterTable, .dropTable, .truncateTable:
            return try await self.handleTableDDL(qualified, ddl)
        }
    }

    /// `binlog skip`: nothing runs downstream and the tracker keeps its schema; every table not
    /// held by a sharding group moves past the event, and the checkpoint with it.
    private func skip(_ ddl: UpstreamDDL) async throws(ReplicationError) {
        self.position = max(self.position, ddl.end)
        try await self.executeBarrier([], ddl: ddl, tables: [])
    }

    /// `binlog replace`: the operator's statements, qualified with the event's database, stand for
    /// the event (one statement, or several ALTERs of one table merged into one).
    private func replacement(_ statements: [String], for ddl: UpstreamDDL) throws(ReplicationError) -> DDLStatement {
        do {
            return try DDLReplacement.statement(statements, defaultSchema: ddl.schema)
        } catch {
            throw ReplicationError(
                .unsupportedDDL, "binlog replace: \(error); set another operation with `braid ctl binlog replace`",
                statement: ddl.statement, position: ddl.start)
        }
    }

    private func parse(_ ddl: UpstreamDDL) throws(ReplicationError) -> DDLStatement? {
        do {
            return try DDLParser.parse(ddl.statement)
        } catch {
            // Statements that change no table definition (GRANT, FLUSH, CREATE USER, views, routines,
            // ANALYZE...) pass by; any other table or database DDL Braid cannot parse stops the subtask.
            let words = ddl.statement.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).prefix(4).map { $0.uppercased() }
            let changesTables =
                ["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"].contains(words.first ?? "")
                && words.dropFirst().contains { ["TABLE", "DATABASE", "SCHEMA", "INDEX", "TEMPORARY"].contains($0) }
            if !changesTables {
                self.logger.debug("sync.ddl.ignored", metadata: ["statement": "\(ddl.statement)"])
                return nil
            }
            if words.contains("TEMPORARY") { return nil }
            throw ReplicationError(
                .unsupportedDDL, "\(error); resolve it with `braid ctl binlog skip|replace`", statement: ddl.statement,
                position: ddl.start)
        }
    }

    private func handleTableDDL(_ statement: DDLStatement, _ ddl: UpstreamDDL) async throws(ReplicationError) -> BinlogPosition? {
        let tables = statement.tables.map { TableName($0.schema ?? ddl.schema, $0.name) }
        guard let table = tables.first else { return nil }
        guard tables.contains(where: { self.router.allows($0) }) else { return nil }
        if case .dropTable = statement, tables.count > 1 {
            // One DROP TABLE per table keeps groups and checkpoints simple.
            for name in tables where self.router.allows(name) {
                let single = DDLStatement.dropTable(DropTable(tables: [QualifiedName(schema: name.schema, name.table)], ifExists: true))
                _ = try await self.handleTableDDL(single, ddl)
            }
            return nil
        }
        if self.isHeld(table) { return nil }  // re-read once its group resolves or it is redirected
        if self.applied.isDDLApplied(table, end: ddl.end) { return nil }
        if self.isSharding, case .alterTable(let alter) = statement { try self.checkMergeable(alter, ddl) }
        let filtered = try self.filtered(EventKind(statement), on: table, schema: table.schema, sql: ddl.statement, at: ddl.start)
        let before = self.tracker.info(table)
        if (self.trackedThrough[table].map { $0 < ddl.end } ?? true) {
            let created = try self.tracker.apply(statement)
            for name in tables { self.trackedThrough[name] = ddl.end }
            if case .createTable = statement, created.contains(table) { try await self.completeCharset(of: table) }
        }
        let target = self.router.route(table)
        let rendered = statement.splitSpecs().map { $0.rendered(renaming: { self.route($0) }) }

        switch statement {
        case .createTable:
            self.groups.join(table, target: target)
            var create = rendered
            if self.isSharding, case .createTable(var c) = statement {
                c.ifNotExists = true
                create = [DDLStatement.createTable(c).rendered(renaming: { self.route($0) })]
            }
            try await self.executeBarrier(filtered ? [] : create, ddl: ddl, tables: [table])
            try await self.reportSourceTables()
            return nil
        case .dropTable:
            let outcome = self.groups.leave(table, target: target)
            self.points.remove(table)
            try await self.executeBarrier(self.isSharding || filtered ? [] : rendered, ddl: ddl, tables: [], dropped: [table])
            try await self.reportSourceTables()
            if case .resolved(let group) = outcome { return try await self.resolvePessimistic(target, group, ddl) }
            return nil
        case .truncateTable:
            // Truncating one shard must not empty the merged table.
            try await self.executeBarrier(self.isSharding || filtered ? [] : rendered, ddl: ddl, tables: [])
            return nil
        case .renameTable:
            if let renamedTo = tables.last { self.points.remove(table); self.points.setAll(renamedTo, to: ddl.end) }
            // While merging, a rename within the merge only changes which upstream name is a member.
            if self.isSharding, let renamedTo = tables.last {
                _ = self.groups.leave(table, target: target)
                self.groups.join(renamedTo, target: target)
            }
            let statements = filtered || self.isSharding ? [] : rendered
            try await self.executeBarrier(statements, ddl: ddl, tables: Array(tables.dropFirst()), dropped: [table])
            try await self.reportSourceTables()
            return nil
        case .alterTable(let alter):
            // `TRUNCATE PARTITION` must not empty the merged table (like TRUNCATE TABLE), and a shard's
            // ANALYZE/CHECK/OPTIMIZE/REBUILD/REPAIR PARTITION concerns its own storage: while merging
            // shards neither goes downstream nor waits for the other shards.
            if filtered || self.isSharding && alter.isPartitionMaintenance {
                try await self.executeBarrier([], ddl: ddl, tables: [table])
                return nil
            }
            switch self.config.task.shardMode {
            case nil:
                try await self.executeBarrier(rendered, ddl: ddl, tables: [table])
                return nil
            case .pessimistic:
                let outcome = try self.groups.reach(table, target: target, ddls: rendered, start: ddl.start, end: ddl.end)
                switch outcome {
                case .waiting(let remaining):
                    self.logger.info(
                        "sync.shard.waiting",
                        metadata: ["table": "\(table)", "target": "\(target)", "waiting_for": "\(remaining)"])
                    return nil
                case .resolved(let group):
                    return try await self.resolvePessimistic(target, group, ddl)
                }
            case .optimistic:
                let replay = self.replays[table].flatMap { $0.end == ddl.end ? $0 : nil }
                guard let before = replay?.before ?? before else {
                    throw ReplicationError(.unknownTable, "DDL on untracked table \(table)", statement: ddl.statement, position: ddl.start)
                }
                try await self.coordinateOptimistic(
                    table, target: target, before: before, statement: statement, rendered: rendered, ddl: ddl,
                    replayAfter: replay?.operationID)
                return nil
            }
        case .createDatabase, .dropDatabase:
            return nil
        }
    }

    func route(_ name: QualifiedName) -> QualifiedName {
        let routed = self.router.route(TableName(name.schema ?? "", name.name))
        return QualifiedName(schema: routed.schema, routed.table)
    }

    /// Every member reached the DDL: coordinate it with the other sources, then re-read held events.
    private func resolvePessimistic(
        _ target: TableName, _ group: ShardingGroups.Pending, _ ddl: UpstreamDDL
    ) async throws(ReplicationError) -> BinlogPosition? {
        try await self.flush()
        let lockID = "\(self.config.task.name)-\(target.quoted)"
        self.blockingLock = lockID
        await self.config.reporter.progress(SyncProgress(unit: "Sync", processedRows: self.processedRows, blockingLock: lockID))
        let control = self.control
        let logger = self.logger
        let verdict = try await self.config.coordinator.coordinate(.pessimistic(target: target, ddls: group.ddls)) {
            (verdict) async throws(ReplicationError) in
            guard verdict.exec, let control else { return }
            for statement in verdict.ddls.isEmpty ? group.ddls : verdict.ddls {
                try await Self.executeDDL(statement, on: control, logger: logger)
            }
        }
        self.blockingLock = nil
        self.logger.info(
            "sync.shard.resolved",
            metadata: ["lock": "\(verdict.lockID)", "exec": "\(verdict.exec)", "members": "\(group.reached.count)"])
        for (member, end) in group.reached {
            self.points.setAll(member, to: end)
            if end < ddl.end { self.resyncUntil[member] = ddl.end }
        }
        self.groups.finish(target)
        try await self.barrier(tableInfos: Array(group.reached.keys))
        let rewind = group.reached.values.min()
        return rewind.flatMap { $0 < ddl.end ? $0 : nil }
    }

    private func coordinateOptimistic(
        _ table: TableName, target: TableName, before: TableInfo, statement: DDLStatement, rendered: [String],
        ddl: UpstreamDDL, replayAfter: Int64?
    ) async throws(ReplicationError) {
        try await self.flush()
        var afters: [TableInfo] = []
        var running = before
        for split in statement.splitSpecs() {
            do {
                running = try running.applying(split)
            } catch {
                throw ReplicationError(.schemaChange, "\(table): \(error)", statement: ddl.statement, position: ddl.start)
            }
            afters.append(running)
        }
        let control = self.control
        let logger = self.logger
        let request = ShardDDLRequest.optimistic(
            upstream: table, target: target, ddls: rendered, before: before, after: afters,
            strict: self.config.task.strictOptimisticShardMode, replayAfter: replayAfter)
        let verdict: ShardDDLVerdict
        do {
            verdict = try await self.config.coordinator.coordinate(request) { (verdict) async throws(ReplicationError) in
                guard verdict.exec, let control else { return }
                for statement in verdict.ddls {
                    try await Self.executeDDL(statement, on: control, logger: logger, widensDuplicateColumns: true)
                }
            }
        } catch {
            throw error.located(statement: ddl.statement, position: ddl.start)
        }
        self.replays[table] = nil
        if verdict.skipsUntilRedirect {
            // DM's skip and wait for redirect: only this table waits; the subtask goes on.
            self.redirects[table] = SkippedDDL(start: ddl.start, end: ddl.end, before: before, operationID: verdict.operationID)
            self.logger.info(
                "sync.shard.skipped", metadata: ["table": "\(table)", "lock": "\(verdict.lockID)", "position": "\(ddl.start)"])
            return
        }
        self.points.setAll(table, to: ddl.end)
        try await self.barrier(tableInfos: [table])
    }

    /// Refuses, while merging shards, what cannot merge: a column added with its own unique key
    /// (each shard fills it independently, so the merged key collides). DM refuses it too.
    private func checkMergeable(_ alter: AlterTable, _ ddl: UpstreamDDL) throws(ReplicationError) {
        let added = Set(alter.specs.compactMap { spec -> String? in
            if case .addColumn(let column, _) = spec { return column.name.lowercased() }
            return nil
        })
        for spec in alter.specs {
            guard case .addIndex(let index) = spec, index.kind.isUnique,
                let column = index.columns.first(where: { added.contains($0.name.lowercased()) })
            else { continue }
            throw ReplicationError(
                .unsupportedDDL,
                "unsupported add column '\(column.name)' constraint \(index.kind.rawValue) when altering a table merged from shards: each shard fills it on its own, so the merged key collides; resolve it with `braid ctl binlog skip|replace`",
                statement: ddl.statement, position: ddl.start)
        }
    }

    /// While merging shards, a rename may only replace a member by another name of the same merge,
    /// one table at a time, in pessimistic mode, and not while its group waits on a DDL.
    private func checkRename(_ renames: [TableRename], _ ddl: UpstreamDDL) throws(ReplicationError) {
        func refuse(_ why: String) -> ReplicationError {
            ReplicationError(.unsupportedDDL, why, statement: ddl.statement, position: ddl.start)
        }
        guard renames.count == 1, let rename = renames.first else {
            throw refuse("rename table with more than one pair is not supported; rename one table per statement")
        }
        guard let mode = self.config.task.shardMode else { return }
        let from = TableName(rename.from.schema ?? ddl.schema, rename.from.name)
        let to = TableName(rename.to.schema ?? ddl.schema, rename.to.name)
        guard self.router.allows(from) else { return }
        switch mode {
        case .optimistic:
            throw refuse("RENAME TABLE is not supported in optimistic mode: the lock knows shards by name; rename every shard by hand and restart the task")
        case .pessimistic:
            let target = self.router.route(from)
            guard self.router.allows(to), self.router.route(to) == target else {
                throw refuse("RENAME TABLE \(from) to \(to) moves a shard out of its merge into \(target); only renames within the same merge are supported while merging shards")
            }
            if self.groups.pending[target] != nil, !self.groups.isHeld(from) {
                throw refuse("RENAME TABLE while the sharding group of \(target) waits on a DDL; finish the DDL on every shard first")
            }
        }
    }

    /// Drains the writers, runs `statements` downstream, then persists the DDL's checkpoint.
    func executeBarrier(
        _ statements: [String], ddl: UpstreamDDL, tables: [TableName], dropped: [TableName] = []
    ) async throws(ReplicationError) {
        try await self.flush()
        if let control = self.control {
            for statement in statements { try await self.executeDDL(statement, on: control) }
        }
        for table in tables { self.points.setAll(table, to: ddl.end) }
        try await self.barrier(tableInfos: tables, dropped: dropped)
    }

    /// Runs one DDL downstream, tolerating errors that mean its effect is already there.
    func executeDDL(_ statement: String, on connection: MySQLConnection) async throws(ReplicationError) {
        try await Self.executeDDL(statement, on: connection, logger: self.logger)
    }

    /// `widensDuplicateColumns`: an optimistic ADD COLUMN the master sends because the join grew
    /// (`utf8` joined with `utf8mb4`, `INT` with `BIGINT`) finds the column already downstream; it is
    /// run again as MODIFY COLUMN, widening the column to the joined definition, instead of the
    /// duplicate being ignored (DM leaves the narrower column, and wider values then fail).
    static func executeDDL(
        _ statement: String, on connection: MySQLConnection, logger: Logger, widensDuplicateColumns: Bool = false
    ) async throws(ReplicationError) {
        do {
            try await connection.execute(statement)
            logger.info("sync.ddl.executed", metadata: ["statement": "\(statement)"])
        } catch {
            if widensDuplicateColumns, error.serverErrno == 1060, case .alterTable(var alter)? = try? DDLParser.parse(statement) {
                alter.specs = alter.specs.map { spec in
                    if case .addColumn(let column, let position) = spec { return .modifyColumn(column, position) }
                    return spec
                }
                return try await Self.executeDDL(DDLStatement.alterTable(alter).rendered(), on: connection, logger: logger)
            }
            // A RENAME onto a table that exists is a real conflict, not a repeat (DM_022).
            if let errno = error.serverErrno, Self.alreadyDoneErrors.contains(errno),
                !(errno == 1050 && statement.hasPrefix("RENAME TABLE"))
            {
                logger.warning(
                    "sync.ddl.already-applied", metadata: ["statement": "\(statement)", "error": "\(error)"])
                return
            }
            throw ReplicationError(
                .downstream, "executing DDL downstream: \(error)", statement: statement,
                serverErrno: error.code == .server ? error.serverErrno : nil)
        }
    }
}

extension Syncer {
    /// A table created in the binlog without a charset or collation gets what the server gave it
    /// (its database's default, the charset's default collation), as `SHOW CREATE TABLE` shows for
    /// the tables tracked at the start: otherwise the new shard's schema never equals the others'
    /// and an optimistic lock it takes part in never resolves.
    func completeCharset(of table: TableName) async throws(ReplicationError) {
        guard var info = self.tracker.info(table), info.charset == nil || info.collation == nil else { return }
        let schema = SQLEscape.stringLiteral(table.schema)
        let query: String
        switch (info.charset, info.collation) {
        case (nil, nil):
            query = "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = \(schema)"
        case (let charset?, nil):
            query = "SELECT CHARACTER_SET_NAME, DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS WHERE CHARACTER_SET_NAME = \(SQLEscape.stringLiteral(charset))"
        case (nil, let collation?):
            query = "SELECT CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLLATIONS WHERE COLLATION_NAME = \(SQLEscape.stringLiteral(collation))"
        case (_?, _?):
            return
        }
        do {
            let upstream = try await MySQLConnection.connect(self.config.upstream)
            defer { Task.detached { await upstream.close() } }
            guard let row = try await upstream.query(query).rows.first else { return }
            info.charset = info.charset ?? row.string(0)
            info.collation = info.collation ?? row.string(1)
        } catch {
            throw ReplicationError(.upstream, "reading the default charset of \(table): \(error)")
        }
        self.tracker.set(table, info)
    }
}
