public import Schema

/// The binlog event types DM's event filters name (`events: ["all dml", "truncate table"]`).
public enum EventKind: String, Sendable, Hashable, CaseIterable {
    case insert
    case update
    case delete
    case createDatabase = "create database"
    case dropDatabase = "drop database"
    case createTable = "create table"
    case dropTable = "drop table"
    case truncateTable = "truncate table"
    case renameTable = "rename table"
    case alterTable = "alter table"

    public var isDML: Bool {
        switch self {
        case .insert, .update, .delete: return true
        case .createDatabase, .dropDatabase, .createTable, .dropTable, .truncateTable, .renameTable, .alterTable:
            return false
        }
    }

    /// The filter event type of a parsed DDL.
    public init(_ statement: DDLStatement) {
        switch statement {
        case .createTable: self = .createTable
        case .alterTable: self = .alterTable
        case .dropTable: self = .dropTable
        case .truncateTable: self = .truncateTable
        case .renameTable: self = .renameTable
        case .createDatabase: self = .createDatabase
        case .dropDatabase: self = .dropDatabase
        }
    }
}

/// A set of event kinds as a filter rule spells it: kinds, `all`, `all dml`, `all ddl`, `none`.
struct EventKindSet: Sendable {
    var kinds: Set<EventKind>

    init(_ names: [String]) throws(RouterError) {
        var kinds: Set<EventKind> = []
        for raw in names {
            let name = raw.lowercased().trimmingCharacters(in: .whitespaces)
            switch name {
            case "all": kinds.formUnion(EventKind.allCases)
            case "all dml": kinds.formUnion(EventKind.allCases.filter(\.isDML))
            case "all ddl": kinds.formUnion(EventKind.allCases.filter { !$0.isDML })
            case "none": break
            // DM also names index statements; Braid's parser refuses CREATE/DROP INDEX, so they never get here.
            case "create index", "drop index", "create view", "drop view", "alter database": break
            default:
                guard let kind = EventKind(rawValue: name) else {
                    throw RouterError(.unknownEventType, "unknown event type \"\(raw)\" in a binlog event filter")
                }
                kinds.insert(kind)
            }
        }
        self.kinds = kinds
    }
}
