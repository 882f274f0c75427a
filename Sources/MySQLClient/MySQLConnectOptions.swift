/// Where and how to connect: endpoint, credentials, TLS, timeouts, charset and the session
/// variables every connection starts with.
public struct MySQLConnectOptions: Sendable, Hashable {
    public enum Endpoint: Sendable, Hashable {
        /// TCP, e.g. `.tcp(host: "127.0.0.1", port: 3306)`. libmariadb is forced to TCP even for
        /// `localhost`, which it would otherwise turn into the default unix socket.
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    /// TLS settings (`MYSQL_OPT_SSL_*`). Paths are PEM files.
    public struct TLS: Sendable, Hashable {
        public var caFile: String?
        public var certificateFile: String?
        public var keyFile: String?
        public var cipher: String?
        /// Check the server certificate against `caFile` and the host name.
        public var verifyServerCertificate: Bool
        /// Fail the connection instead of falling back to plain text when the server offers no TLS.
        public var required: Bool

        public init(
            caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, cipher: String? = nil,
            verifyServerCertificate: Bool = false, required: Bool = true
        ) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.cipher = cipher
            self.verifyServerCertificate = verifyServerCertificate
            self.required = required
        }
    }

    public var endpoint: Endpoint
    public var user: String
    public var password: String
    public var database: String?
    public var tls: TLS?
    /// libmariadb timeouts have whole-second resolution; sub-second values round up.
    public var connectTimeout: Duration?
    public var readTimeout: Duration?
    public var writeTimeout: Duration?
    /// Connection charset (`SET NAMES`); utf8mb4 so any identifier and text round-trips.
    public var charset: String
    /// `SET SESSION name = value` after connecting, in this order. `value` is SQL text, so strings
    /// carry their quotes: `("time_zone", "'+00:00'")`.
    public var sessionVariables: [SessionVariable]

    public struct SessionVariable: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        endpoint: Endpoint, user: String, password: String = "", database: String? = nil, tls: TLS? = nil,
        connectTimeout: Duration? = .seconds(10), readTimeout: Duration? = nil, writeTimeout: Duration? = nil,
        charset: String = "utf8mb4", sessionVariables: [SessionVariable] = []
    ) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.charset = charset
        self.sessionVariables = sessionVariables
    }
}
