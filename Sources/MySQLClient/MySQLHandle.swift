import CMariaDB

/// The synchronous libmariadb calls that open and close a `MYSQL*`. Callers run them on the
/// owning queue or thread; nothing here hops.
enum MySQLHandle {
    /// `mysql_library_init` is not thread-safe and `mysql_init` calls it implicitly on first use, so
    /// it runs once, before any handle exists, behind Swift's thread-safe global initialisation.
    private static let libraryInitialized: Bool = mysql_server_init(0, nil, nil) == 0

    static func open(_ options: MySQLConnectOptions) throws(MySQLError) -> UnsafeMutablePointer<MYSQL> {
        guard self.libraryInitialized, let mysql = mysql_init(nil) else {
            throw MySQLError(.client, "mysql_init failed (out of memory or library initialisation failed)")
        }
        do throws(MySQLError) {
            try self.configure(mysql, options)
            try self.connect(mysql, options)
            if !options.sessionVariables.isEmpty {
                let assignments = options.sessionVariables.map { "\($0.name) = \($0.value)" }.joined(separator: ", ")
                try self.query(mysql, "SET SESSION " + assignments)
            }
            return mysql
        } catch {
            mysql_close(mysql)
            throw error
        }
    }

    static func query(_ mysql: UnsafeMutablePointer<MYSQL>, _ sql: String) throws(MySQLError) {
        var sql = sql
        let status = sql.withUTF8 { mysql_real_query(mysql, $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, UInt(bitPattern: $0.count)) }
        try MySQLError.check(status, mysql, call: "query `\(sql.prefix(200))`")
    }

    /// The first column of the first row of `sql` as text (nil for NULL or no row).
    static func singleValue(_ mysql: UnsafeMutablePointer<MYSQL>, _ sql: String) throws(MySQLError) -> String? {
        try self.query(mysql, sql)
        guard let result = mysql_store_result(mysql) else { throw MySQLError.fromHandle(mysql, call: "mysql_store_result") }
        defer { mysql_free_result(result) }
        return MySQLResultSet.fetchRow(result, columnCount: Int(mysql_num_fields(result)))?.string(0)
    }

    private static func configure(_ mysql: UnsafeMutablePointer<MYSQL>, _ options: MySQLConnectOptions) throws(MySQLError) {
        func set(_ option: mysql_option, _ value: UnsafeRawPointer?, _ name: String) throws(MySQLError) {
            try MySQLError.check(mysql_options(mysql, option, value), mysql, call: "mysql_options(\(name))", during: .invalidArgument)
        }
        func setString(_ option: mysql_option, _ value: String?, _ name: String) throws(MySQLError) {
            guard let value else { return }
            guard !value.utf8.contains(0) else { throw MySQLError(.invalidArgument, "\(name) contains a NUL byte") }
            let status = value.withCString { mysql_options(mysql, option, $0) }
            try MySQLError.check(status, mysql, call: "mysql_options(\(name))", during: .invalidArgument)
        }
        func setSeconds(_ option: mysql_option, _ value: Duration?, _ name: String) throws(MySQLError) {
            guard let value else { return }
            let (seconds, attos) = value.components
            var whole = UInt32(clamping: max(1, seconds + (attos > 0 ? 1 : 0)))
            try set(option, &whole, name)
        }
        if case .tcp = options.endpoint {
            var proto = UInt32(MYSQL_PROTOCOL_TCP.rawValue)
            try set(MYSQL_OPT_PROTOCOL, &proto, "MYSQL_OPT_PROTOCOL")
        }
        try setSeconds(MYSQL_OPT_CONNECT_TIMEOUT, options.connectTimeout, "MYSQL_OPT_CONNECT_TIMEOUT")
        try setSeconds(MYSQL_OPT_READ_TIMEOUT, options.readTimeout, "MYSQL_OPT_READ_TIMEOUT")
        try setSeconds(MYSQL_OPT_WRITE_TIMEOUT, options.writeTimeout, "MYSQL_OPT_WRITE_TIMEOUT")
        try setString(MYSQL_SET_CHARSET_NAME, options.charset, "MYSQL_SET_CHARSET_NAME")
        if let tls = options.tls {
            try setString(MYSQL_OPT_SSL_CA, tls.caFile, "MYSQL_OPT_SSL_CA")
            try setString(MYSQL_OPT_SSL_CERT, tls.certificateFile, "MYSQL_OPT_SSL_CERT")
            try setString(MYSQL_OPT_SSL_KEY, tls.keyFile, "MYSQL_OPT_SSL_KEY")
            try setString(MYSQL_OPT_SSL_CIPHER, tls.cipher, "MYSQL_OPT_SSL_CIPHER")
            var enforce: CChar = tls.required ? 1 : 0
            try set(MYSQL_OPT_SSL_ENFORCE, &enforce, "MYSQL_OPT_SSL_ENFORCE")
            var verify: CChar = tls.verifyServerCertificate ? 1 : 0
            try set(MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify, "MYSQL_OPT_SSL_VERIFY_SERVER_CERT")
        }
    }

    private static func connect(_ mysql: UnsafeMutablePointer<MYSQL>, _ options: MySQLConnectOptions) throws(MySQLError) {
        for text in [options.user, options.password, options.database ?? ""] where text.utf8.contains(0) {
            throw MySQLError(.invalidArgument, "connect options contain a NUL byte")
        }
        let host: String?
        let port: UInt32
        let socket: String?
        let target: String
        switch options.endpoint {
        case .tcp(let h, let p):
            (host, port, socket, target) = (h, UInt32(clamping: p), nil, "\(h):\(p)")
        case .unixSocket(let path):
            (host, port, socket, target) = ("localhost", 0, path, path)
        }
        let connected = withOptionalCString(host) { host in
            options.user.withCString { user in
                options.password.withCString { password in
                    withOptionalCString(options.database) { database in
                        withOptionalCString(socket) { socket in
                            mysql_real_connect(mysql, host, user, password, database, port, socket, 0)
                        }
                    }
                }
            }
        }
        if connected == nil {
            throw MySQLError.fromHandle(mysql, call: "connect to \(target) as '\(options.user)'", during: .connect)
        }
    }
}

func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
