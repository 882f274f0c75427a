import EventLog
import Hummingbird
import Foundation
import Leader
import Logging
import Master
import NIOCore
import Synchronization
import Worker

/// The real `Master` library serving HTTP on 127.0.0.1 (random port) with its ticker, for
/// end-to-end worker tests in-process.
enum LiveMaster {
    static func serve(
        dataDir: String, keepaliveTTL: Duration = .seconds(3), _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        var configuration = MasterConfiguration(dataDir: dataDir)
        configuration.port = 0
        configuration.keepaliveTTL = keepaliveTTL
        configuration.tickInterval = .milliseconds(100)
        try FileManager.default.createDirectory(atPath: dataDir + "/log", withIntermediateDirectories: true)
        let log = try LMDBLog(path: dataDir + "/log")
        var logger = Logger(label: "test.live-master")
        logger.logLevel = .warning
        let runtime = try await MasterRuntime.start(
            configuration: configuration, log: log, elector: EmbeddedElector(log: log), logger: logger)
        let port = Mutex(0)
        let listening = Gate(open: false)
        // The master's router on our own Application, to learn the random port it bound.
        let app = Application(
            router: try runtime.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.withLock { $0 = channel.localAddress?.port ?? 0 }
                listening.open()
            },
            logger: StubHTTPMaster.quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            group.addTask { try await runtime.ticker.run() }
            defer { group.cancelAll() }
            await listening.wait()
            try await body(port.withLock { $0 })
        }
    }
}
