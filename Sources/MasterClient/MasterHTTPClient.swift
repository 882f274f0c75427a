import AsyncHTTPClient
import NIOCore

/// The one `HTTPClient` every `MasterClient` in the process sends through.
///
/// An `HTTPClient` must be shut down before it is released, and `MasterClient` is a value type
/// with no end of life, so the client lives as long as the process and is never shut down.
/// `HTTPClient.shared` is not used because it follows redirects itself (the failover middleware
/// must see a 307 to learn the leader) and waits 90 s for a connect.
enum MasterHTTPClient {
    /// A master that does not accept within this is skipped; loopback and LAN connects take
    /// milliseconds, so this only bounds a black-holed address.
    static let connectTimeout: TimeAmount = .seconds(1)

    static let shared: HTTPClient = {
        // No read timeout: a watch long-poll is silent until it answers; the per-request deadline
        // (`MasterClient`'s `requestTimeout`) bounds it instead.
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: nil))
        // A refused connect fails the request at once rather than retrying with backoff until the
        // connect timeout: the next master is the better retry.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
