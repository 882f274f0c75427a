public import Domain
public import Schema

/// The structure of every upstream table a subtask replicates, as of the binlog position being read.
///
/// It starts from `SHOW CREATE TABLE` (or the checkpoint's saved `table_info`) and follows each DDL,
/// so rows are decoded and written with the columns they were logged with, not today's.
public struct SchemaTracker: Sendable {
    private var tables: [TableName: Entry] = [:]

    private struct Entry: Sendable {
        var info: TableInfo
        var shape: TableShape
    }

    public init() {}

    public var tableNames: [TableName] { self.tables.keys.sorted() }

    public func info(_ table: TableName) -> TableInfo? { self.tables[table]?.info }

    /// The applier's view of the table, rebuilt only when its schema changes.
    public func shape(_ table: TableName) -> TableShape? { self.tables[table]?.shape }

    public mutating func set(_ table: TableName, _ info: TableInfo) {
        self.tables[table] = Entry(info: info, shape: TableShape(info))
    }

    /// Starts tracking a table from its `SHOW CREATE TABLE` text.
    public mutating func load(_ table: TableName, createTableSQL: String) throws(ReplicationError) {
        let statement: DDLStatement
        do {
            statement = try DDLParser.parse(createTableSQL)
        } catch {
            throw ReplicationError(.unsupportedDDL, "cannot track \(table): \(error)", statement: createTableSQL)
        }
        guard case .createTable(let create) = statement else {
            throw ReplicationError(.unsupportedDDL, "expected CREATE TABLE for \(table)", statement: createTableSQL)
        }
        var info = TableInfo(create, defaultSchema: table.schema)
        info.schema = table.schema
        info.table = table.table
        self.set(table, info)
    }

    /// Applies one single-table (or database) statement, already qualified with its schema.
    /// - Returns: the tables whose structure the statement changed, created or dropped.
    @discardableResult
    public mutating func apply(_ statement: DDLStatement) throws(ReplicationError) -> [TableName] {
        switch statement {
        case .createTable(let create):
            let name = TableName(create.table.schema ?? "", create.table.name)
            if create.ifNotExists, self.tables[name] != nil { return [] }
            self.set(name, TableInfo(create, defaultSchema: name.schema))
            return [name]
        case .alterTable, .truncateTable:
            guard let table = statement.tables.first.map({ TableName($0.schema ?? "", $0.name) }) else { return [] }
            guard let current = self.tables[table]?.info else {
                throw ReplicationError(.unknownTable, "DDL on \(table), which is not tracked", statement: statement.sql)
            }
            do {
                self.set(table, try current.applying(statement))
            } catch {
                throw ReplicationError(.schemaChange, "\(table): \(error)", statement: statement.sql)
            }
            return [table]
        case .dropTable(let drop):
            let names = drop.tables.map { TableName($0.schema ?? "", $0.name) }
            for name in names { self.tables[name] = nil }
            return names
        case .renameTable(let renames):
            var touched: [TableName] = []
            for rename in renames {
                let from = TableName(rename.from.schema ?? "", rename.from.name)
                let to = TableName(rename.to.schema ?? from.schema, rename.to.name)
                guard var info = self.tables.removeValue(forKey: from)?.info else { continue }
                info.schema = to.schema
                info.table = to.table
                self.set(to, info)
                touched += [from, to]
            }
            return touched
        case .createDatabase:
            return []
        case .dropDatabase(let drop):
            let names = self.tables.keys.filter { $0.schema.lowercased() == drop.name.lowercased() }
            for name in names { self.tables[name] = nil }
            return names.sorted()
        }
    }
}

extension DDLStatement {
    /// Canonical text, for error messages.
    var sql: String { self.rendered() }
}
