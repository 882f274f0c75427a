import BraidTestSupport
import MySQLClient
import Testing

@Suite("MySQLConnection against a real MariaDB", .serialized)
struct ConnectionTests {
    @Test("connect, query, execute, transactions")
    func basics() async throws {
        try await withMariaDBServer { server in
            print("MariaDB start-up took \(server.lastStartupDuration)")
            let connection = try await server.connect(sessionVariables: [.init("time_zone", "'+00:00'")])
            let zone = try await connection.query("SELECT @@session.time_zone, @@character_set_client")
            #expect(zone.rows.first?.string(0) == "+00:00")
            #expect(zone.rows.first?.string(1) == "utf8mb4")

            try await connection.execute("CREATE DATABASE t")
            try await connection.execute("CREATE TABLE t.a (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, v VARCHAR(20))")
            let inserted = try await connection.execute("INSERT INTO t.a (v) VALUES ('x'), ('y')")
            #expect(inserted.affectedRows == 2)
            #expect(inserted.lastInsertID == 1)

            let result = try await connection.query("SELECT id, v FROM t.a ORDER BY id")
            #expect(result.columns.map(\.name) == ["id", "v"])
            #expect(result.columns[0].isUnsigned)
            #expect(result.rows.map { $0.string(1) } == ["x", "y"])

            // Rollback on throw really rolls back; commit on return really commits.
            await #expect(throws: MySQLError.self) {
                try await connection.withSession { (session) throws(MySQLError) in
                    try session.transaction { (tx) throws(MySQLError) in
                        try tx.execute("INSERT INTO t.a (v) VALUES ('rolled back')")
                        try tx.execute("INSERT INTO t.a (id, v) VALUES (1, 'duplicate')")
                    }
                }
            }
            _ = try await connection.withSession { (session) throws(MySQLError) in
                try session.transaction { (tx) throws(MySQLError) in try tx.execute("INSERT INTO t.a (v) VALUES ('committed')") }
            }
            let values = try await connection.query("SELECT v FROM t.a ORDER BY id").rows.map { $0.string(0) }
            #expect(values == ["x", "y", "committed"])

            // Streaming read sees every row; a throwing body leaves the connection usable.
            var streamed: [String?] = []
            var afterAbort = 0
            try await connection.withSession { (session) throws(MySQLError) in
                try session.forEachRow("SELECT v FROM t.a ORDER BY id") { _, row in streamed.append(row.string(0)) }
                do {
                    try session.forEachRow("SELECT v FROM t.a") { (_, _) throws(MySQLError) in throw MySQLError(.invalidArgument, "stop") }
                } catch {}
                afterAbort = try session.query("SELECT 1").rows.count
            }
            #expect(streamed == ["x", "y", "committed"])
            #expect(afterAbort == 1)
            #expect(connection.serverVersion.contains("MariaDB"))
            await connection.close()
        }
    }

    @Test("server errors carry errno and SQLSTATE; closed and wrong-password errors are typed")
    func errors() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            do throws(MySQLError) {
                _ = try await connection.query("SELECT * FROM mysql.no_such_table")
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .server)
                #expect(error.serverErrno == 1146)
                #expect(error.sqlState == "42S02")
            }
            try await connection.execute("CREATE DATABASE e")
            try await connection.execute("CREATE TABLE e.d (id INT PRIMARY KEY)")
            try await connection.execute("INSERT INTO e.d VALUES (1)")
            do throws(MySQLError) {
                try await connection.execute("INSERT INTO e.d VALUES (1)")
                Issue.record("expected a duplicate-key error")
            } catch {
                #expect(error.code == .server)
                #expect(error.serverErrno == 1062)
                #expect(error.sqlState == "23000")
            }
            await connection.close()
            await connection.close()  // idempotent
            do throws(MySQLError) {
                _ = try await connection.query("SELECT 1")
                Issue.record("expected .closed")
            } catch {
                #expect(error.code == .closed)
            }

            var options = server.connectOptions()
            options.password = "wrong"
            do throws(MySQLError) {
                _ = try await MySQLConnection.connect(options)
                Issue.record("expected an authentication error")
            } catch {
                #expect(error.code == .connect)
                #expect(error.serverErrno == 1045)
            }
        }
    }

    @Test("a killed server surfaces as connectionLost; restart keeps data and port")
    func lostConnection() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            try await connection.execute("CREATE DATABASE k")
            try await connection.execute("CREATE TABLE k.t (id INT PRIMARY KEY)")
            try await connection.execute("INSERT INTO k.t VALUES (7)")
            let pid = server.processID
            try await server.kill()
            do throws(MySQLError) {
                _ = try await connection.query("SELECT 1")
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .connectionLost)
            }
            try await server.restart()
            #expect(server.processID != pid)
            let again = try await server.connect()
            #expect(try await again.query("SELECT id FROM k.t").rows.map { $0.string(0) } == ["7"])
            await again.close()
        }
    }

    @Test("TLS: a server with a certificate accepts a TLS-required connection")
    func tls() async throws {
        try await withMariaDBServer(.init(tls: true)) { server in
            var options = server.connectOptions()
            options.tls = .init(caFile: server.tlsCertificateFile, required: true)
            let connection = try await MySQLConnection.connect(options)
            let cipher = try await connection.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            let cipherName = cipher.rows.first?.string(1) ?? ""
            #expect(!cipherName.isEmpty)
            await connection.close()
        }
    }

    @Test("escaping: identifiers and string literals survive a round trip")
    func escaping() async throws {
        try await withMariaDBServer { server in
            let connection = try await server.connect()
            let nasty = "it's a \\ \"quote\" \0 \n end ✓"
            let name = "we`ird na'me"
            try await connection.execute("CREATE DATABASE \(SQLEscape.identifier(name))")
            try await connection.execute("CREATE TABLE \(SQLEscape.identifier(name)).t (v VARCHAR(100))")
            try await connection.execute("INSERT INTO \(SQLEscape.identifier(name)).t VALUES (\(SQLEscape.stringLiteral(nasty)))")
            let quoted = try await connection.withSession { (session) throws(MySQLError) in session.quote(nasty) }
            let rows = try await connection.query("SELECT v, v = \(quoted) FROM \(SQLEscape.identifier(name)).t").rows
            #expect(rows.first?.string(0) == nasty)
            #expect(rows.first?.string(1) == "1")
            await connection.close()
        }
    }
}
