import CMariaDB

/// A borrowed view of an open connection for a batch of synchronous calls on the connection's
/// queue (see `MySQLConnection.withSession`). Noncopyable and only lent to the closure, so it
/// cannot escape to another thread or outlive the hop.
public struct MySQLSession: ~Copyable {
    let mysql: UnsafeMutablePointer<MYSQL>

    init(_ mysql: UnsafeMutablePointer<MYSQL>) { self.mysql = mysql }

    /// Runs a statement that returns no rows (any rows it does return are discarded).
    @discardableResult
    public func execute(_ sql: String) throws(MySQLError) -> (affectedRows: UInt64, lastInsertID: UInt64) {
        try MySQLHandle.query(self.mysql, sql)
        if let result = mysql_store_result(self.mysql) {
            mysql_free_result(result)
        } else if mysql_field_count(self.mysql) != 0 {
            throw MySQLError.fromHandle(self.mysql, call: "mysql_store_result")
        }
        let affected = mysql_affected_rows(self.mysql)
        // (my_ulonglong)-1 means "not applicable", e.g. after a statement that returned rows.
        return (affected == UInt64.max ? 0 : affected, mysql_insert_id(self.mysql))
    }

    /// Runs a statement and buffers its whole result. Statements without a result set give an
    /// empty result (no columns).
    public func query(_ sql: String) throws(MySQLError) -> MySQLResultSet {
        try MySQLHandle.query(self.mysql, sql)
        guard let result = mysql_store_result(self.mysql) else {
            if mysql_field_count(self.mysql) != 0 { throw MySQLError.fromHandle(self.mysql, call: "mysql_store_result") }
            return MySQLResultSet(columns: [], rows: [])
        }
        defer { mysql_free_result(result) }
        let columns = MySQLResultSet.columns(of: result)
        var rows: [MySQLRow] = []
        rows.reserveCapacity(Int(mysql_num_rows(result)))
        while let row = MySQLResultSet.fetchRow(result, columnCount: columns.count) { rows.append(row) }
        return MySQLResultSet(columns: columns, rows: rows)
    }

    /// Streams a result row by row (`mysql_use_result`) so huge SELECTs never sit in memory.
    /// If `body` throws, the rest of the result is drained and the error is rethrown.
    public func forEachRow(
        _ sql: String, _ body: (_ columns: [MySQLColumn], _ row: MySQLRow) throws(MySQLError) -> Void
    ) throws(MySQLError) {
        try MySQLHandle.query(self.mysql, sql)
        guard let result = mysql_use_result(self.mysql) else {
            if mysql_field_count(self.mysql) != 0 { throw MySQLError.fromHandle(self.mysql, call: "mysql_use_result") }
            return
        }
        defer { mysql_free_result(result) }  // skips unread rows, so the connection stays usable
        let columns = MySQLResultSet.columns(of: result)
        while let row = MySQLResultSet.fetchRow(result, columnCount: columns.count) {
            try body(columns, row)
        }
        // mysql_fetch_row returns NULL both at the end and on error.
        if mysql_errno(self.mysql) != 0 { throw MySQLError.fromHandle(self.mysql, call: "mysql_fetch_row") }
    }

    public func begin() throws(MySQLError) { try MySQLHandle.query(self.mysql, "START TRANSACTION") }

    public func commit() throws(MySQLError) {
        try MySQLError.check(Int32(mysql_commit(self.mysql)), self.mysql, call: "COMMIT")
    }

    public func rollback() throws(MySQLError) {
        try MySQLError.check(Int32(mysql_rollback(self.mysql)), self.mysql, call: "ROLLBACK")
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws (the
    /// body's error is rethrown; a failed rollback is attached as its `cause`).
    public func transaction<T>(_ body: (borrowing MySQLSession) throws(MySQLError) -> T) throws(MySQLError) -> T {
        try self.begin()
        let value: T
        do {
            value = try body(self)
        } catch {
            do {
                try self.rollback()
            } catch let rollbackError {
                var failure = error
                failure.cause = rollbackError
                throw failure
            }
            throw error
        }
        try self.commit()
        return value
    }

    /// Escapes `text` for a quoted string literal with `mysql_real_escape_string`, which knows the
    /// connection charset and `NO_BACKSLASH_ESCAPES`. Returns the literal with its quotes.
    public func quote(_ text: String) -> String {
        let source = Array(text.utf8).map { CChar(bitPattern: $0) }
        var out = [CChar](repeating: 0, count: source.count * 2 + 1)
        let length = mysql_real_escape_string(self.mysql, &out, source, UInt(source.count))
        let escaped = out.prefix(Int(length)).map { UInt8(bitPattern: $0) }
        return "'" + String(decoding: escaped, as: UTF8.self) + "'"
    }
}
