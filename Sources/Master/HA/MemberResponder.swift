import Foundation
import HA
import HTTPTypes
import Hummingbird

/// The HA master's HTTP entry: the leader serves every request; a follower serves `/metrics`,
/// `/health`, `list-member` and the log reads (from its mirror) itself and answers everything else with 307 to the leader, or 503
/// with `Retry-After` while no leader is known (so clients never hang on a member that cannot
/// serve, tiflow#12168).
struct MemberResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let slot: LeaderSlot
    let elector: EtcdElector
    let local: RouterResponder<BasicRequestContext>
    let selfURL: String

    /// Paths a follower answers from its own state.
    static let localPaths: Set<String> = [
        "/metrics", "/health", "/api/v1/cluster/masters", "/api/v1/openapi.yaml", "/api/v1/log", "/api/v1/log/state",
    ]

    func respond(to request: Request, context: Context) async throws -> Response {
        // operate-leader concerns the member that receives it, leader or not.
        if request.uri.path == "/api/v1/cluster/leader" {
            return try await self.local.respond(to: request, context: context)
        }
        if let leader = self.slot.leaderResponder {
            return try await leader.respond(to: request, context: context)
        }
        if Self.localPaths.contains(request.uri.path) {
            return try await self.local.respond(to: request, context: context)
        }
        if let leader = self.elector.leader, leader.member.apiURL != self.selfURL {
            var headers: HTTPFields = [:]
            headers[.location] = leader.member.apiURL + request.uri.description
            headers[HTTPField.Name("X-Braid-Leader")!] = leader.member.name
            headers[HTTPField.Name("X-Braid-Term")!] = String(leader.term)
            return Response(status: .temporaryRedirect, headers: headers)
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.retryAfter] = "1"
        let body = #"{"code":"no_leader","message":"this master is a follower and no leader is known yet; retry shortly"}"#
        return Response(status: .serviceUnavailable, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
