import API
import EventLog
import Foundation
import Hummingbird
import Projections

/// A follower answers the log reads from its own mirror instead of redirecting them to the leader
/// (ha.md §3.4: every read is local), so auditing a cluster never loads the leader. The answers have
/// the shapes of the leader's `readLog` and `stateAt`; they may trail the leader by the mirror's lag.
enum FollowerLogRoutes {
    static func add(to router: Router<BasicRequestContext>, mirror: LMDBLog) {
        router.get("/api/v1/log") { request, _ -> Response in
            Self.respond { () throws(APIFailure) -> Response in
                let query = request.uri.queryParameters
                return try Self.json(MasterAPI.logPage(
                    mirror, from: try Self.integer(query, "from").map { Int64($0) }, limit: try Self.integer(query, "limit")))
            }
        }
        router.get("/api/v1/log/state") { request, _ -> Response in
            Self.respond { () throws(APIFailure) -> Response in
                let live: ClusterState
                do {
                    live = try ClusterState.rebuild(from: mirror)
                } catch {
                    throw APIFailure(status: 503, code: "unavailable", message: "rebuild: \(error)")
                }
                let seq = try Self.integer(request.uri.queryParameters, "seq").map { Int64($0) }
                let state = try MasterAPI.state(of: mirror, at: seq, live: live)
                return try Self.json(MasterAPI.stateDocument(state))
            }
        }
    }

    static func integer(_ query: Parameters, _ name: String) throws(APIFailure) -> Int? {
        guard let text = query[name[...]] else { return nil }
        guard let value = Int(text) else { throw .badRequest("not an integer: \(text)", field: name) }
        return value
    }

    static func json(_ value: some Encodable) throws(APIFailure) -> Response {
        do {
            let data = try JSONEncoder().encode(value)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            throw APIFailure(status: 503, code: "unavailable", message: "encoding: \(error)")
        }
    }

    static func respond(_ body: () throws(APIFailure) -> Response) -> Response {
        do {
            return try body()
        } catch {
            let data = (try? JSONEncoder().encode(error.body)) ?? Data()
            return Response(
                status: HTTPResponse.Status(code: error.status), headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
