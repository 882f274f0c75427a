import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Worker

/// A real HTTP server on 127.0.0.1 (random port) answering a few API paths by hand, so the client's
/// transport, failover, redirect and error mapping are tested over sockets without the master.
enum StubHTTPMaster {
    static let token = "s3cret"

    /// The leader: needs the bearer token; lists one worker; knows no source.
    static func leaderRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/api/v1/cluster/workers") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer \(Self.token)" else {
                return Self.json(#"{"code":"unauthorized","message":"missing or wrong bearer token"}"#, status: .unauthorized)
            }
            return Self.json(#"[{"name":"w1","address":"127.0.0.1:8262","stage":"free"}]"#, status: .ok)
        }
        router.get("/api/v1/sources/{name}") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            return Self.json(
                #"{"code":"not_found","message":"source \#(name) not found","field":"source-name"}"#, status: .notFound)
        }
        return router
    }

    /// A follower: redirects everything to the leader.
    static func followerRouter(leaderPort: Int) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/api/v1/cluster/workers") { _, _ -> Response in
            Response(
                status: .temporaryRedirect,
                headers: [.location: "http://127.0.0.1:\(leaderPort)/api/v1/cluster/workers"])
        }
        return router
    }

    static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Cancelling the server to stop it logs shutdown errors; they are expected here.
    static let quietLogger: Logger = {
        var logger = Logger(label: "stub-master")
        logger.logLevel = .critical
        return logger
    }()

    /// Serves `router` on a random loopback port while `body` runs.
    static func serve(
        _ router: Router<BasicRequestContext>, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let port = Mutex<Int>(0)
        let listening = Gate(open: false)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.withLock { $0 = channel.localAddress?.port ?? 0 }
                listening.open()
            },
            logger: Self.quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            await listening.wait()
            try await body(port.withLock { $0 })
        }
    }
}
