import Domain

extension Syncer {
    /// Whether the binlog event filters drop this event; an `action: Error` rule that matches stops the
    /// subtask here with an error naming the rule, at the event's position so `binlog skip` can pass it.
    func filtered(
        _ kind: EventKind, on table: TableName?, schema: String, sql: String? = nil, at position: Domain.BinlogPosition
    ) throws(ReplicationError) -> Bool {
        switch self.router.filterVerdict(kind, on: table, schema: schema, sql: sql) {
        case .keep: return false
        case .drop: return true
        case .error(let rule):
            let subject = table.map { "\($0)" } ?? "database \(schema)"
            throw ReplicationError(
                .filterError, "binlog event filter rule \"\(rule)\" (action Error) matched a \(kind.rawValue) event on \(subject)",
                statement: sql, position: position)
        }
    }
}
