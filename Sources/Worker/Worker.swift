import Logging
import ServiceLifecycle

/// Entry point of `braid worker`: runs the worker service until SIGTERM/SIGINT.
public enum Worker {
    /// Runs the worker under one `ServiceGroup`; SIGTERM/SIGINT shut it down gracefully
    /// (runners stopped, master told `stop`), after which this returns.
    public static func run(configuration: WorkerConfiguration) async throws {
        let service = try WorkerService(configuration: configuration)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: configuration.logger))
        try await group.run()
    }
}
