import BraidTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import MasterClient
import NIOCore
import Synchronization
import Testing

/// `MasterClient`'s default transport (async-http-client) over real loopback sockets: a closed
/// port, a leaderless member answering 503, a follower's 307, and the real master behind them.
/// Each call is a worker `register` (a POST with a body), so failover must also replay the body.
@Suite("MasterClient transport over loopback sockets")
struct MasterClientTransportTests {
    @Test func skipsAClosedPortAndReachesTheMaster() async throws {
        try await Self.withMaster { master in
            let client = try MasterClient(masters: ["127.0.0.1:\(freeLoopbackPort())", "127.0.0.1:\(master)"])
            _ = try await client.register(name: "w1", address: "w1:1")
            #expect(try await client.listWorkers().map(\.name) == ["w1"])
            #expect(client.currentMaster == "http://127.0.0.1:\(master)")
        }
    }

    @Test func aClosedPortAloneIsUnavailableWithConnectionRefused() async throws {
        let port = freeLoopbackPort()
        let client = try MasterClient(masters: ["127.0.0.1:\(port)"])
        let error = await #expect(throws: MasterClientError.self) { _ = try await client.register(name: "w1", address: "w1:1") }
        #expect(error?.code == MasterClientError.unavailableCode)
        #expect(error?.status == nil)
        let message = error?.message.lowercased() ?? ""
        #expect(message.contains("127.0.0.1:\(port): connection refused"), "\(message)")
        #expect(!message.contains("urlerror"), "\(message)")
    }

    @Test func skipsAMemberAnswering503() async throws {
        let stub = Stub()
        try await Self.withMaster { master in
            try await Self.serve(stub.router { _ in .leaderless }) { leaderless in
                let client = try MasterClient(masters: ["127.0.0.1:\(leaderless)", "127.0.0.1:\(master)"])
                _ = try await client.register(name: "w1", address: "w1:1")
                #expect(try await client.listWorkers().map(\.name) == ["w1"])
                #expect(client.currentMaster == "http://127.0.0.1:\(master)")
                #expect(stub.hits == 1, "the 503 member was tried first, once")
            }
        }
    }

    @Test func everyMemberAnswering503IsRetriedThenUnavailable() async throws {
        let stub = Stub()
        try await Self.serve(stub.router { _ in .leaderless }) { leaderless in
            let client = try MasterClient(masters: ["127.0.0.1:\(leaderless)"])
            let error = await #expect(throws: MasterClientError.self) { _ = try await client.listWorkers() }
            #expect(error?.code == MasterClientError.unavailableCode)
            #expect(error?.message.contains("HTTP 503 no leader elected yet") == true, "\(String(describing: error))")
            #expect(stub.hits == 3, "three rounds, then give up")
        }
    }

    @Test func aMemberThatFindsItsLeaderOnTheNextRoundIsFollowed() async throws {
        let stub = Stub()
        try await Self.withMaster { master in
            try await Self.serve(stub.router { hit in hit == 1 ? .leaderless : .redirect(to: master) }) { member in
                let client = try MasterClient(masters: ["127.0.0.1:\(member)"])
                _ = try await client.register(name: "w1", address: "w1:1")
                #expect(stub.hits == 2)
                #expect(client.currentMaster == "http://127.0.0.1:\(master)")
            }
        }
    }

    /// During a failover followers still redirect to the dead leader until its lease expires: the
    /// client treats that as an election under way and tries another round, where the follower
    /// names the new leader.
    @Test func aRedirectToADeadLeaderWaitsForTheNextRound() async throws {
        let stub = Stub()
        let dead = freeLoopbackPort()
        try await Self.withMaster { master in
            try await Self.serve(stub.router { hit in hit <= 2 ? .redirect(to: dead) : .redirect(to: master) }) { follower in
                let client = try MasterClient(masters: ["127.0.0.1:\(follower)"])
                _ = try await client.register(name: "w1", address: "w1:1")
                #expect(stub.hits == 3, "followed the dead leader once, then waited for the next round")
                #expect(client.currentMaster == "http://127.0.0.1:\(master)")
            }
        }
    }

    /// Members that keep naming each other (leadership changing hands faster than the answers)
    /// are an unavailable cluster, named as such: not a 307 handed to the decoder as an answer.
    @Test func membersRedirectingInACircleAreUnavailableNotUndecodable() async throws {
        let first = Stub(), second = Stub()
        let secondPort = Mutex(0)
        try await Self.serve(first.router { _ in .redirect(to: secondPort.withLock { $0 }) }) { a in
            try await Self.serve(second.router { _ in .redirect(to: a) }) { b in
                secondPort.withLock { $0 = b }
                let client = try MasterClient(masters: ["127.0.0.1:\(a)"])
                let error = await #expect(throws: MasterClientError.self) { _ = try await client.listWorkers() }
                #expect(error?.code == MasterClientError.unavailableCode, "\(String(describing: error))")
                #expect(error?.message.contains("still redirecting") == true, "\(String(describing: error))")
                #expect(first.hits + second.hits > 3, "followed the redirects, then more rounds")
            }
        }
    }

    @Test func followsA307ToTheMaster() async throws {
        let stub = Stub()
        try await Self.withMaster { master in
            try await Self.serve(stub.router { _ in .redirect(to: master) }) { follower in
                let client = try MasterClient(masters: ["127.0.0.1:\(follower)"])
                _ = try await client.register(name: "w1", address: "w1:1")
                #expect(try await client.listWorkers().map(\.name) == ["w1"])
                #expect(client.currentMaster == "http://127.0.0.1:\(master)")
                #expect(stub.hits == 1, "the second call goes straight to the leader")
            }
        }
    }

    @Test func cancellingAnInFlightCallEndsItAsCancelled() async throws {
        let (arrived, arrival) = AsyncStream<Void>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        // A long-poll stand-in: it answers only after the test is done.
        let router = Router()
        router.get("**") { _, _ -> Response in
            arrival.yield()
            for await _ in released {}
            return Response(status: .ok)
        }
        try await Self.serve(router) { port in
            let client = try MasterClient(masters: ["127.0.0.1:\(port)"])
            let call = Task { () async -> MasterClientError? in
                do throws(MasterClientError) { _ = try await client.listWorkers() } catch { return error }
                return nil
            }
            for await _ in arrived { break }
            call.cancel()
            let error = await call.value
            release.finish()
            #expect(error?.code == MasterClientError.cancelledCode, "\(String(describing: error))")
        }
    }

    @Test func transportErrorsReadAsOperatorText() {
        #expect(FailoverMiddleware.summary(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "connection refused")
        #expect(FailoverMiddleware.summary(ChannelError.connectTimeout(.seconds(1))) == "connect timeout")
    }
}

extension MasterClientTransportTests {
    /// A member that is not the leader: answers every request as `answer(hit)` says (hits from 1).
    final class Stub: Sendable {
        enum Answer { case leaderless, redirect(to: Int) }
        private let count = Mutex(0)
        var hits: Int { self.count.withLock { $0 } }

        func router(_ answer: @escaping @Sendable (Int) -> Answer) -> Router<BasicRequestContext> {
            let router = Router()
            router.on("**", method: .get, use: { request, _ in self.respond(request, answer) })
            router.on("**", method: .post, use: { request, _ in self.respond(request, answer) })
            return router
        }

        private func respond(_ request: Request, _ answer: (Int) -> Answer) -> Response {
            switch answer(self.count.withLock { $0 += 1; return $0 }) {
            case .leaderless:
                Response(
                    status: .serviceUnavailable,
                    headers: [.retryAfter: "1", .contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"code":"unavailable","message":"no leader elected yet"}"#)))
            case .redirect(let port):
                Response(status: .temporaryRedirect, headers: [.location: "http://127.0.0.1:\(port)\(request.uri)"])
            }
        }
    }

    /// Serves `router` on a random loopback port while `body` runs.
    static func serve(_ router: Router<BasicRequestContext>, _ body: @Sendable (Int) async throws -> Void) async throws {
        var logger = Logger(label: "test.stub-member")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    /// The real master on a random loopback port while `body` runs.
    static func withMaster(_ body: @Sendable (Int) async throws -> Void) async throws {
        try await withTemporaryDirectory("master-client-transport") { dir in
            let fixture = try await MasterFixture.make(dataDir: dir) { $0.host = "127.0.0.1" }
            try await fixture.runtime.application().test(.live) { client in try await body(try #require(client.port)) }
        }
    }
}
