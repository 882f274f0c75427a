import Logging

/// The default runner until the binlog data plane lands: it logs what it is told and writes nothing.
public struct NoopSubtaskRunner: SubtaskRunner {
    let logger: Logger

    public init(logger: Logger = Logger(label: "braid.worker.noop-runner")) {
        self.logger = logger
    }

    public func start(_ subtask: SubtaskContext) async throws(SubtaskRunnerError) {
        self.logger.info("runner.noop.start", metadata: ["subtask": "\(subtask.key)", "epoch": "\(subtask.bindingEpoch)"])
    }

    public func pause(_ key: SubtaskKey) async { self.logger.info("runner.noop.pause", metadata: ["subtask": "\(key)"]) }
    public func resume(_ key: SubtaskKey) async { self.logger.info("runner.noop.resume", metadata: ["subtask": "\(key)"]) }
    public func stop(_ key: SubtaskKey) async { self.logger.info("runner.noop.stop", metadata: ["subtask": "\(key)"]) }
    public func run() async {}
}
