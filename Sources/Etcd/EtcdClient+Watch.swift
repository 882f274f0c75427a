import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

extension EtcdClient {
    /// Watches `key` (up to `end`, exclusive) from `startRevision`, yielding every response after
    /// the `created` one. The stream ends with `.compacted` when etcd cancels the watch for a
    /// compacted revision, and with the transport error when the member goes away; the caller
    /// resumes from the last revision it saw (etcd's watch is resumable, not linearizable).
    ///
    /// The watch is opened on the preferred endpoint, or the next that accepts it.
    public func watch(_ key: String, end: String?, from startRevision: Int64) -> AsyncThrowingStream<EtcdWatchResponse, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.runWatch(key, end: end, from: startRevision, continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func runWatch(
        _ key: String, end: String?, from startRevision: Int64,
        _ continuation: AsyncThrowingStream<EtcdWatchResponse, any Error>.Continuation
    ) async throws {
        struct Create: Encodable { var key: Data; var range_end: Data?; var start_revision: EtcdInt64 }
        struct Body: Encodable { var create_request: Create }
        struct GatewayError: Decodable { var message: String?; var http_code: Int? }
        struct Line: Decodable { var result: EtcdWatchResponse?; var error: GatewayError? }

        let body = Body(create_request: Create(key: Data(key.utf8), range_end: end.map { Data($0.utf8) }, start_revision: EtcdInt64(max(startRevision, 1))))
        var failures: [String] = []
        let start = self.preferredIndex
        for step in 0..<self.endpoints.count {
            let endpoint = self.endpoints[(start + step) % self.endpoints.count]
            let request = try self.request("/v3/watch", body, to: endpoint)
            let response: HTTPClientResponse
            do {
                response = try await Self.http.execute(request, timeout: Self.timeAmount(self.requestTimeout))
            } catch {
                failures.append("\(endpoint): \(Self.transportError(error, endpoint: endpoint).message)")
                continue
            }
            guard response.status.code == 200 else {
                let bytes = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
                failures.append("\(endpoint): \(Self.gatewayError(status: Int(response.status.code), bytes).message)")
                continue
            }
            var pending = ByteBuffer()
            for try await chunk in response.body {
                var chunk = chunk
                pending.writeBuffer(&chunk)
                while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                    let length = newline - pending.readerIndex
                    let line = pending.readSlice(length: length)!
                    pending.moveReaderIndex(forwardBy: 1)
                    guard line.readableBytes > 0 else { continue }
                    let decoded: Line
                    do {
                        decoded = try JSONDecoder().decode(Line.self, from: line)
                    } catch {
                        throw EtcdError(.badResponse, "watch: cannot decode \(String(buffer: line).prefix(200))", cause: error)
                    }
                    if let error = decoded.error {
                        throw EtcdError.fromGateway(status: error.http_code ?? 500, message: error.message ?? "watch error", grpcCode: nil)
                    }
                    guard let result = decoded.result else { continue }
                    if result.canceled == true {
                        if let compacted = result.compactRevision?.value, compacted > 0 {
                            throw EtcdError(.compacted, "watch from revision \(startRevision) is compacted at \(compacted)", compactRevision: compacted)
                        }
                        throw EtcdError(.rejected, "watch cancelled: \(result.cancelReason ?? "no reason")")
                    }
                    if result.created == true, (result.events ?? []).isEmpty { continue }
                    continuation.yield(result)
                }
                pending.discardReadBytes()
            }
            throw EtcdError(.unreachable, "watch on \(endpoint) ended")
        }
        throw EtcdError(.unreachable, "no etcd member accepted the watch: " + failures.joined(separator: "; "))
    }
}
