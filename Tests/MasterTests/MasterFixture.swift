import BraidTestSupport
import EventLog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Leader
import Logging
import Master
import Synchronization
import Testing

/// A clock the test moves by hand (Unix ms).
final class TestClock: Sendable {
    private let value = Mutex<Int64>(1_700_000_000_000)
    var now: Int64 { self.value.withLock { $0 } }
    func advance(ms: Int64) { self.value.withLock { $0 += ms } }
    var master: MasterClock { MasterClock { self.now } }
}

enum Fixtures {
    static let password = "s3cret-Pw!"
    static let targetPassword = "tgt-Pw-42"

    static func sourceYAML(_ id: String = "s1", port: Int = 3306) -> String {
        """
        source-id: \(id)
        flavor: mysql
        enable-gtid: false
        from:
          host: 127.0.0.1
          user: root
          password: '\(password)'
          port: \(port)
        """
    }

    static func taskYAML(_ name: String = "t1", sources: [String] = ["s1"], mode: String = "pessimistic") -> String {
        """
        name: \(name)
        task-mode: incremental
        shard-mode: \(mode)
        target-database:
          host: 127.0.0.1
          port: 4000
          user: root
          password: '\(targetPassword)'
        mysql-instances:
        \(sources.map { "  - source-id: \($0)" }.joined(separator: "\n"))
        """
    }
}

/// One master over a temporary LMDB log, driven in-process through Hummingbird's test client.
struct MasterFixture {
    let runtime: MasterRuntime
    let clock: TestClock

    static func make(
        dataDir: String, clock: TestClock = TestClock(), configure: (inout MasterConfiguration) -> Void = { _ in }
    ) async throws -> MasterFixture {
        var configuration = MasterConfiguration(dataDir: dataDir)
        configuration.port = 0
        configure(&configuration)
        try FileManager.default.createDirectory(atPath: dataDir + "/log", withIntermediateDirectories: true)
        let log = try LMDBLog(path: dataDir + "/log")
        var logger = Logger(label: "test.master")
        logger.logLevel = .warning
        let runtime = try await MasterRuntime.start(
            configuration: configuration, log: log, elector: EmbeddedElector(log: log), clock: clock.master, logger: logger)
        return MasterFixture(runtime: runtime, clock: clock)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await self.runtime.application().test(.router, body)
    }
}

extension TestClientProtocol {
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, yaml: String? = nil, headers: HTTPFields = [:]
    ) async throws -> (status: Int, body: String, headers: HTTPFields) {
        var fields = headers
        var buffer: ByteBuffer?
        if let json {
            fields[.contentType] = "application/json"
            buffer = ByteBuffer(string: json)
        } else if let yaml {
            fields[.contentType] = "application/yaml"
            buffer = ByteBuffer(string: yaml)
        }
        return try await self.execute(uri: uri, method: method, headers: fields, body: buffer) { response in
            (Int(response.status.code), String(buffer: response.body), response.headers)
        }
    }
}

extension TestClientProtocol {
    /// Worker `w1` registered and source `s1` created (so bound to it): where most API tests start.
    func registerWorkerAndSource() async throws {
        try await self.call(.post, "/api/v1/worker-protocol/register", json: #"{"name":"w1","address":"w1:1"}"#)
        try await self.call(.post, "/api/v1/sources", yaml: Fixtures.sourceYAML("s1"))
    }
}

/// Decodes a JSON body into a dictionary for assertions.
func object(_ body: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
}

func array(_ body: String) -> [[String: Any]] {
    (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []
}
