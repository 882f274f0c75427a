public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

/// A client of etcd 3.4's v3 JSON gateway (`/v3/...`), rotating across the cluster's endpoints.
///
/// Every request carries `Grpc-Metadata-hasleader: true`, so a member that lost its raft leader
/// answers 503 at once instead of hanging for 7 s or serving a silent watch. A request that could
/// not reach a member (refused, no leader) moves on to the next endpoint; a write whose outcome is
/// unknown (timed out or cut after it was sent) fails with `.ambiguous` for the caller to resolve
/// by reading back.
public final class EtcdClient: Sendable {
    public let endpoints: [String]
    public let requestTimeout: Duration
    private let preferred = Atomic<Int>(0)

    /// One process-wide client: it lives as long as the process, so it is never shut down (an
    /// `HTTPClient` that deinitializes unshut traps). No read timeout: watches idle for minutes,
    /// and every other request has its own deadline.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(1), read: nil))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// - Parameter endpoints: `host:port` or `http://host:port`, as `--etcd` gives them.
    public init(endpoints: [String], requestTimeout: Duration = .seconds(2)) throws(EtcdError) {
        let parsed = endpoints.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { $0.contains("://") ? $0 : "http://\($0)" }
        guard !parsed.isEmpty else { throw EtcdError(.unreachable, "no etcd endpoint given") }
        self.endpoints = parsed
        self.requestTimeout = requestTimeout
    }

    /// Splits `--etcd a,b,c`.
    public static func endpoints(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    // MARK: - KV

    public func range(
        _ key: String, end: String? = nil, limit: Int64 = 0, revision: Int64 = 0, serializable: Bool = false,
        sortByCreate: Bool = false, descendingKeys: Bool = false, keysOnly: Bool = false, countOnly: Bool = false,
        maxCreateRevision: Int64 = 0
    ) async throws(EtcdError) -> EtcdRangeResponse {
        struct Body: Encodable {
            var key: Data; var range_end: Data?; var limit: EtcdInt64?; var revision: EtcdInt64?
            var serializable: Bool?; var sort_order: String?; var sort_target: String?
            var keys_only: Bool?; var count_only: Bool?; var max_create_revision: EtcdInt64?
        }
        let body = Body(
            key: Data(key.utf8), range_end: end.map { Data($0.utf8) }, limit: limit > 0 ? EtcdInt64(limit) : nil,
            revision: revision > 0 ? EtcdInt64(revision) : nil, serializable: serializable ? true : nil,
            sort_order: sortByCreate ? "ASCEND" : descendingKeys ? "DESCEND" : nil, sort_target: sortByCreate ? "CREATE" : descendingKeys ? "KEY" : nil,
            keys_only: keysOnly ? true : nil, count_only: countOnly ? true : nil,
            max_create_revision: maxCreateRevision > 0 ? EtcdInt64(maxCreateRevision) : nil)
        return try await self.call("/v3/kv/range", body, write: false)
    }

    @discardableResult
    public func put(_ key: String, _ value: Data, lease: Int64? = nil) async throws(EtcdError) -> EtcdResponseHeader? {
        struct Body: Encodable { var key: Data; var value: Data; var lease: EtcdInt64? }
        struct Answer: Decodable { var header: EtcdResponseHeader? }
        let answer: Answer = try await self.call("/v3/kv/put", Body(key: Data(key.utf8), value: value, lease: lease.map { EtcdInt64($0) }), write: true)
        return answer.header
    }

    @discardableResult
    public func deleteRange(_ key: String, end: String? = nil) async throws(EtcdError) -> EtcdResponseHeader? {
        struct Body: Encodable { var key: Data; var range_end: Data? }
        struct Answer: Decodable { var header: EtcdResponseHeader? }
        let answer: Answer = try await self.call("/v3/kv/deleterange", Body(key: Data(key.utf8), range_end: end.map { Data($0.utf8) }), write: true)
        return answer.header
    }

    /// One atomic transaction. A timeout after sending is `.ambiguous`: it may have committed.
    public func txn(
        compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation] = [], timeout: Duration? = nil
    ) async throws(EtcdError) -> EtcdTxnResponse {
        struct Body: Encodable { var compare: [EtcdCompare]; var success: [EtcdOperation]; var failure: [EtcdOperation] }
        return try await self.call("/v3/kv/txn", Body(compare: compare, success: success, failure: failure), write: true, timeout: timeout)
    }

    /// Compacts history up to `revision` (physically, so the space is reusable once it returns).
    public func compact(revision: Int64) async throws(EtcdError) {
        struct Body: Encodable { var revision: EtcdInt64; var physical: Bool }
        struct Answer: Decodable { var header: EtcdResponseHeader? }
        let _: Answer = try await self.call("/v3/kv/compaction", Body(revision: EtcdInt64(revision), physical: true), write: true, timeout: .seconds(10))
    }

    // MARK: - Leases

    /// Grants a lease of `ttl` seconds and returns its id.
    public func grantLease(ttl: Int64) async throws(EtcdError) -> Int64 {
        struct Body: Encodable { var TTL: EtcdInt64 }
        struct Answer: Decodable { var ID: EtcdInt64?; var error: String? }
        let answer: Answer = try await self.call("/v3/lease/grant", Body(TTL: EtcdInt64(ttl)), write: true)
        guard let id = answer.ID?.value, id != 0 else { throw EtcdError(.rejected, "lease grant returned no id: \(answer.error ?? "")") }
        return id
    }

    /// Renews the lease once; returns its remaining TTL in seconds, 0 when it has expired.
    public func keepAlive(lease: Int64, timeout: Duration? = nil) async throws(EtcdError) -> Int64 {
        struct Body: Encodable { var ID: EtcdInt64 }
        struct Result: Decodable { var TTL: EtcdInt64? }
        struct Answer: Decodable { var result: Result? }
        let answer: Answer = try await self.call("/v3/lease/keepalive", Body(ID: EtcdInt64(lease)), write: false, timeout: timeout)
        return answer.result?.TTL?.value ?? 0
    }

    public func revoke(lease: Int64) async throws(EtcdError) {
        struct Body: Encodable { var ID: EtcdInt64 }
        struct Answer: Decodable { var header: EtcdResponseHeader? }
        let _: Answer = try await self.call("/v3/lease/revoke", Body(ID: EtcdInt64(lease)), write: true)
    }

    // MARK: - Maintenance

    /// The status of the member at `endpoint` (`host:port` or a URL; the preferred one when `nil`).
    public func status(endpoint: String? = nil) async throws(EtcdError) -> EtcdStatus {
        struct Body: Encodable {}
        if let endpoint {
            let url = endpoint.contains("://") ? endpoint : "http://\(endpoint)"
            return try await self.send("/v3/maintenance/status", Body(), to: url, timeout: self.requestTimeout)
        }
        return try await self.call("/v3/maintenance/status", Body(), write: false)
    }

    // MARK: - Plumbing

    var preferredIndex: Int { self.preferred.load(ordering: .relaxed) }

    /// Sends to the preferred endpoint, moving on when a member cannot serve. Only failures that
    /// prove the request was not applied move a write on; the rest surface as `.ambiguous`.
    func call<Body: Encodable, Answer: Decodable>(
        _ path: String, _ body: Body, write: Bool, timeout: Duration? = nil
    ) async throws(EtcdError) -> Answer {
        let start = self.preferred.load(ordering: .relaxed)
        var failures: [String] = []
        var last: EtcdError?
        for step in 0..<self.endpoints.count {
            let index = (start + step) % self.endpoints.count
            let endpoint = self.endpoints[index]
            do {
                let answer: Answer = try await self.send(path, body, to: endpoint, timeout: timeout ?? self.requestTimeout)
                if step > 0 { self.preferred.store(index, ordering: .relaxed) }
                return answer
            } catch {
                switch error.code {
                case .unreachable, .noLeader:
                    failures.append("\(endpoint): \(error.message)")
                    last = error
                    continue
                case .ambiguous:
                    if write { throw error }
                    failures.append("\(endpoint): \(error.message)")
                    last = error
                    continue
                case .compacted, .spaceExceeded, .requestTooLarge, .rejected, .badResponse:
                    throw error
                }
            }
        }
        var error = last ?? EtcdError(.unreachable, "no endpoint")
        error.message = "no etcd member could serve \(path): " + failures.joined(separator: "; ")
        throw error
    }

    static let encoder = JSONEncoder()

    func send<Body: Encodable, Answer: Decodable>(
        _ path: String, _ body: Body, to endpoint: String, timeout: Duration
    ) async throws(EtcdError) -> Answer {
        let request = try self.request(path, body, to: endpoint)
        let bytes: ByteBuffer
        let status: Int
        do {
            let response = try await Self.http.execute(request, timeout: Self.timeAmount(timeout))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch let error as EtcdError {
            throw error
        } catch {
            throw Self.transportError(error, endpoint: endpoint)
        }
        guard status == 200 else { throw Self.gatewayError(status: status, bytes) }
        do {
            return try JSONDecoder().decode(Answer.self, from: bytes)
        } catch {
            throw EtcdError(.badResponse, "\(path): cannot decode \(String(buffer: bytes).prefix(200))", status: status, cause: error)
        }
    }

    func request<Body: Encodable>(_ path: String, _ body: Body, to endpoint: String) throws(EtcdError) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Grpc-Metadata-hasleader", value: "true")
        do {
            request.body = .bytes(ByteBuffer(data: try Self.encoder.encode(body)))
        } catch {
            throw EtcdError(.badResponse, "cannot encode \(path)", cause: error)
        }
        return request
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    static func gatewayError(status: Int, _ bytes: ByteBuffer) -> EtcdError {
        struct Body: Decodable { var error: String?; var message: String?; var code: Int? }
        let text = String(buffer: bytes)
        let body = try? JSONDecoder().decode(Body.self, from: bytes)
        let message = body?.message ?? body?.error ?? text
        return EtcdError.fromGateway(status: status, message: message, grpcCode: body?.code)
    }

    /// Refused and unroutable connections were never sent; timeouts and resets may have been.
    static func transportError(_ error: any Error, endpoint: String) -> EtcdError {
        let text = String(describing: error)
        if let error = error as? HTTPClientError {
            if error == .connectTimeout || error == .getConnectionFromPoolTimeout {
                return EtcdError(.unreachable, "connect timeout", cause: error)
            }
            if error == .deadlineExceeded || error == .readTimeout {
                return EtcdError(.ambiguous, "timed out waiting for an answer", cause: error)
            }
            return EtcdError(.ambiguous, "connection lost: \(error)", cause: error)
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("NIOConnectionError") {
            return EtcdError(.unreachable, "connection refused", cause: error)
        }
        if error is CancellationError { return EtcdError(.ambiguous, "cancelled", cause: error) }
        return EtcdError(.ambiguous, text, cause: error)
    }
}
