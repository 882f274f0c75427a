public import Domain
import Foundation

/// Decides, for one subtask, which upstream tables replicate, where they land, and which events are dropped:
/// DM's block-allow list, table routes and binlog event filters, compiled once.
///
/// Decisions per table are pure functions of the rules, so the pipeline may cache them by table name.
public struct Router: Sendable {
    private struct Route: Sendable {
        var schema: NamePattern
        var table: NamePattern?
        var targetSchema: String
        var targetTable: String
    }

    private struct Filter: Sendable {
        var name: String
        var schema: NamePattern
        var table: NamePattern?
        var events: EventKindSet
        var sqlPatterns: [CompiledRegex]
        var action: FilterAction
    }

    private struct TablePattern: Sendable {
        var schema: NamePattern
        var table: NamePattern
    }

    private let doDBs: [NamePattern]
    private let ignoreDBs: [NamePattern]
    private let doTables: [TablePattern]
    private let ignoreTables: [TablePattern]
    /// Table routes first, then schema-only routes: a table rule wins over a schema rule, as in DM.
    private let routes: [Route]
    private let filters: [Filter]

    /// - Parameter filterNames: the filters' rule names, in order, for errors (`Error` rules); defaults to their index.
    public init(
        blockAllowList: BlockAllowList?, routes: [RouteRule], filters: [FilterRule], filterNames: [String] = []
    ) throws(RouterError) {
        let list = blockAllowList ?? BlockAllowList()
        self.doDBs = try list.doDBs.map { (p: String) throws(RouterError) in try NamePattern(p) }
        self.ignoreDBs = try list.ignoreDBs.map { (p: String) throws(RouterError) in try NamePattern(p) }
        self.doTables = try list.doTables.map { (t: TableRef) throws(RouterError) in
            TablePattern(schema: try NamePattern(t.dbName), table: try NamePattern(t.tableName))
        }
        self.ignoreTables = try list.ignoreTables.map { (t: TableRef) throws(RouterError) in
            TablePattern(schema: try NamePattern(t.dbName), table: try NamePattern(t.tableName))
        }
        var tableRoutes: [Route] = []
        var schemaRoutes: [Route] = []
        for rule in routes {
            let route = Route(
                schema: try NamePattern(rule.schemaPattern),
                table: rule.tablePattern.isEmpty ? nil : try NamePattern(rule.tablePattern),
                targetSchema: rule.targetSchema, targetTable: rule.targetTable)
            if route.table == nil { schemaRoutes.append(route) } else { tableRoutes.append(route) }
        }
        self.routes = tableRoutes + schemaRoutes
        self.filters = try filters.enumerated().map { (index, rule) throws(RouterError) in
            var patterns: [CompiledRegex] = []
            for text in rule.sqlPattern {
                do {
                    patterns.append(try CompiledRegex(text))
                } catch {
                    throw RouterError(.invalidPattern, "sql-pattern \"\(text)\" is not a valid regular expression: \(error)")
                }
            }
            return Filter(
                name: index < filterNames.count ? filterNames[index] : "filters[\(index)]",
                schema: try NamePattern(rule.schemaPattern),
                table: rule.tablePattern.isEmpty ? nil : try NamePattern(rule.tablePattern),
                events: try EventKindSet(rule.events), sqlPatterns: patterns, action: rule.action)
        }
    }

    /// The subtask's rules from a task config.
    public init(task: TaskConfig, source: SourceID) throws(RouterError) {
        let filters = task.namedFilterRules(for: source)
        try self.init(
            blockAllowList: task.blockAllowList(for: source), routes: task.routeRules(for: source),
            filters: filters.map(\.rule), filterNames: filters.map(\.name))
    }

    /// Whether statements on this database replicate at all (`CREATE/DROP DATABASE`).
    public func allowsSchema(_ schema: String) -> Bool {
        if Self.isSystemSchema(schema) { return false }
        if !self.doDBs.isEmpty { return self.doDBs.contains { $0.matches(schema) } }
        return !self.ignoreDBs.contains { $0.matches(schema) }
    }

    /// The block-allow list's verdict on a table.
    public func allows(_ table: TableName) -> Bool {
        guard self.allowsSchema(table.schema) else { return false }
        if self.doTables.contains(where: { $0.schema.matches(table.schema) && $0.table.matches(table.table) }) {
            return true
        }
        if self.ignoreTables.contains(where: { $0.schema.matches(table.schema) && $0.table.matches(table.table) }) {
            return false
        }
        // With do-tables listed, only those replicate, unless their schema is allowed as a whole by do-dbs
        // and no do-table names that schema.
        if !self.doTables.isEmpty {
            let schemaNamed = self.doTables.contains { $0.schema.matches(table.schema) }
            return !schemaNamed && !self.doDBs.isEmpty
        }
        return true
    }

    /// Where an upstream table's rows land: the first matching table route, else the first schema route,
    /// else the same name.
    public func route(_ table: TableName) -> TableName {
        for route in self.routes where route.schema.matches(table.schema) {
            if let pattern = route.table {
                guard pattern.matches(table.table) else { continue }
                return TableName(route.targetSchema, route.targetTable.isEmpty ? table.table : route.targetTable)
            }
            return TableName(route.targetSchema, table.table)
        }
        return table
    }

    /// The database a `CREATE/DROP DATABASE` on `schema` is written to.
    public func routeSchema(_ schema: String) -> String {
        for route in self.routes where route.table == nil && route.schema.matches(schema) {
            return route.targetSchema
        }
        return schema
    }

    /// What the binlog event filters decide for one event: the first rule that decides wins.
    public enum FilterVerdict: Sendable, Hashable {
        case keep
        case drop
        /// An `action: Error` rule matched: the subtask must stop here.
        case error(rule: String)
    }

    /// The filters' verdict on this event. `sql` is the statement text of a DDL.
    public func filterVerdict(_ kind: EventKind, on table: TableName?, schema: String, sql: String? = nil) -> FilterVerdict {
        for filter in self.filters {
            guard filter.schema.matches(schema) else { continue }
            if let pattern = filter.table {
                guard let table, pattern.matches(table.table) else { continue }
            }
            let kindMatches = filter.events.kinds.contains(kind)
            let sqlMatches = sql.map { text in filter.sqlPatterns.contains { $0.matches(text) } } ?? false
            switch filter.action {
            case .ignore:
                if kindMatches || sqlMatches { return .drop }
            case .do:
                if !kindMatches && !sqlMatches { return .drop }
            case .error:
                if kindMatches || sqlMatches { return .error(rule: filter.name) }
            }
        }
        return .keep
    }

    /// Whether the binlog event filters drop this event (an `Error` verdict is not a drop; see `filterVerdict`).
    public func filters(_ kind: EventKind, on table: TableName?, schema: String, sql: String? = nil) -> Bool {
        self.filterVerdict(kind, on: table, schema: schema, sql: sql) == .drop
    }

    /// MySQL's own databases never replicate.
    public static func isSystemSchema(_ schema: String) -> Bool {
        ["mysql", "information_schema", "performance_schema", "sys"].contains(schema.lowercased())
    }
}
