import Logging
import ServiceLifecycle

/// Entry point of `braid worker`: runs the worker service until SIGTERM/SIGINT.
public enum Worker {
    /// Runs the worker (and its status server on `statusAddress`) under one `ServiceGroup`;
    /// SIGTERM/SIGINT shut it down gracefully (runners stopped, master told `stop`), after which
    /// this returns.
    public static func run(configuration: WorkerConfiguration) async throws {
        let service = try WorkerService(configuration: configuration)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: service)]
        if let address = configuration.statusAddress {
            let server = try WorkerStatusServer.application(
                address: address, board: service.statusBoard, logger: configuration.logger)
            services.append(.init(service: server))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: configuration.logger))
        try await group.run()
    }
}
