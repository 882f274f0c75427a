public import Logging
public import MasterClient

/// What `braid worker` needs: identity, masters, credentials, the data plane and timings.
public struct WorkerConfiguration: Sendable {
    public var name: String
    public var masters: [String]
    /// The address registered with the master (`--listen`).
    public var advertiseAddress: String
    /// Where `GET /status` and `GET /metrics` are served (`--listen`, normally `advertiseAddress`);
    /// `nil` serves nothing.
    public var statusAddress: String?
    public var authToken: String?
    /// Decrypts `source_password` when the master sends it sealed (see `SecretKey`).
    public var secretKey: SecretKey?
    public var runner: any SubtaskRunner
    public var backoff: Backoff
    /// The longest watch long-poll; it is also capped at the keepalive TTL.
    public var watchTimeout: Duration
    /// Tests inject a client with a fault-injecting transport; `nil` builds one from `masters`.
    public var client: MasterClient?
    public var logger: Logger

    public init(
        name: String,
        masters: [String],
        advertiseAddress: String,
        statusAddress: String? = nil,
        authToken: String? = nil,
        secretKey: SecretKey? = nil,
        runner: any SubtaskRunner,
        backoff: Backoff = Backoff(),
        watchTimeout: Duration = .seconds(30),
        client: MasterClient? = nil,
        logger: Logger = Logger(label: "braid.worker")
    ) {
        self.name = name
        self.masters = masters
        self.advertiseAddress = advertiseAddress
        self.statusAddress = statusAddress
        self.authToken = authToken
        self.secretKey = secretKey
        self.runner = runner
        self.backoff = backoff
        self.watchTimeout = watchTimeout
        self.client = client
        self.logger = logger
    }
}
