import API
import Logging
public import MasterClient
public import ServiceLifecycle

/// The control half of `braid worker`: one session with the master after another.
///
/// A session is register → (keepalive every TTL/3 ∥ watch and follow the view). It ends when the
/// lease lapses: no keepalive succeeded within the TTL, or the master no longer knows us. Then
/// every runner is stopped — they must stop writing downstream before the master can rebind the
/// source elsewhere (P26, tiflow#3737) — and only then does the worker try to rejoin, with
/// capped, jittered exponential backoff. SIGTERM stops the runners and tells the master `stop`,
/// so it goes offline at once instead of after the TTL.
public struct WorkerService: Service {
    let configuration: WorkerConfiguration
    let client: MasterClient
    let board = OperationBoard()
    let terms = TermFence()
    /// The last status sent per subtask (re-sent to each new leader).
    let ledger = StatusLedger()
    let supervisor: SubtaskSupervisor
    /// What the worker's status server shows.
    let statusBoard: WorkerStatusBoard
    var logger: Logger { self.configuration.logger }

    /// - Throws: `MasterClientError` when `--master` does not parse.
    public init(configuration: WorkerConfiguration) throws(MasterClientError) {
        self.configuration = configuration
        if let client = configuration.client {
            self.client = client
        } else {
            self.client = try MasterClient(masters: configuration.masters, token: configuration.authToken)
        }
        self.statusBoard = WorkerStatusBoard(name: configuration.name)
        self.supervisor = SubtaskSupervisor(
            runner: configuration.runner, client: self.client, worker: configuration.name, board: self.board,
            ledger: self.ledger, statusBoard: self.statusBoard, secretKey: configuration.secretKey,
            logger: configuration.logger)
    }

    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.configuration.runner.run() }
            let registered = await cancelWhenGracefulShutdown { await self.sessions() }
            await self.supervisor.stopAll(reason: "shutdown")
            if registered {
                do {
                    try await self.client.stopWorker(name: self.configuration.name)
                    self.logger.info("worker.stopped", metadata: ["worker": "\(self.configuration.name)"])
                } catch {
                    self.logger.warning("worker.stop.failed", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
        }
    }

    /// Runs sessions until cancelled. - Returns: whether the worker was ever registered.
    func sessions() async -> Bool {
        var backoff = self.configuration.backoff
        var registered = false
        while !Task.isCancelled {
            let registration: Components.Schemas.Registration
            do {
                registration = try await self.client.register(
                    name: self.configuration.name, address: self.configuration.advertiseAddress)
            } catch {
                let delay = backoff.next()
                self.logger.warning("worker.register.failed", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { break }
                continue
            }
            registered = true
            self.statusBoard.registered(master: "\(self.client.currentMaster)")
            backoff.reset()
            let ttl = Duration.milliseconds(max(registration.keepalive_ttl_ms, 3))
            self.logger.info(
                "worker.registered", metadata: ["term": "\(registration.term)", "ttl": "\(ttl)", "master": "\(self.client.currentMaster)"])
            let end = await self.session(ttl: ttl)
            guard end == .lapsed else {
                self.statusBoard.unregistered()
                break
            }
            self.statusBoard.lapsed()
            // Fence first: nothing may write downstream once the lease is gone.
            await self.supervisor.stopAll(reason: "lease lapsed")
            self.logger.warning("worker.lease.lapsed", metadata: ["worker": "\(self.configuration.name)"])
            do { try await Task.sleep(for: backoff.next()) } catch { break }
        }
        return registered
    }

    enum SessionEnd: Sendable { case lapsed, cancelled }

    func session(ttl: Duration) async -> SessionEnd {
        await withTaskGroup(of: SessionEnd.self) { group in
            group.addTask { await self.keepalive(ttl: ttl) }
            group.addTask { await self.watch(ttl: ttl) }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return Task.isCancelled ? .cancelled : first
        }
    }

    /// Keeps the lease alive; returns `.lapsed` at the moment the TTL passes without a success.
    func keepalive(ttl: Duration) async -> SessionEnd {
        let clock = ContinuousClock()
        var deadline = clock.now.advanced(by: ttl)
        var interval = ttl / 3
        while true {
            do { try await clock.sleep(until: min(clock.now.advanced(by: interval), deadline)) } catch { return .cancelled }
            if clock.now >= deadline { return .lapsed }
            let attemptStart = clock.now
            switch await self.keepaliveOnce(until: deadline) {
            case .ok:
                deadline = attemptStart.advanced(by: ttl)
                interval = ttl / 3
            case .unknownWorker:
                return .lapsed
            case .failed:
                interval = ttl / 10
            case .timedOut:
                return .lapsed
            case .cancelled:
                return .cancelled
            }
        }
    }

    enum KeepaliveOutcome: Sendable { case ok, unknownWorker, failed, timedOut, cancelled }

    /// One keepalive call that may not outlive the lease: a hung request must not delay fencing.
    func keepaliveOnce(until deadline: ContinuousClock.Instant) async -> KeepaliveOutcome {
        await withTaskGroup(of: KeepaliveOutcome.self) { group in
            group.addTask {
                do throws(MasterClientError) {
                    _ = try await self.client.keepalive(name: self.configuration.name)
                    self.statusBoard.keepalive(ok: true)
                    return .ok
                } catch {
                    if error.code == MasterClientError.cancelledCode { return .cancelled }
                    self.statusBoard.keepalive(ok: false)
                    if error.status == 404 { return .unknownWorker }
                    self.logger.warning("worker.keepalive.failed", metadata: ["error": "\(error)"])
                    return .failed
                }
            }
            group.addTask {
                do { try await ContinuousClock().sleep(until: deadline) } catch { return .cancelled }
                return .timedOut
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return Task.isCancelled ? .cancelled : first
        }
    }

    /// Follows the worker's view; returns `.lapsed` when the master no longer knows this worker.
    func watch(ttl: Duration) async -> SessionEnd {
        var after: Int64 = 0
        var backoff = Backoff(initial: .milliseconds(50), maximum: max(ttl / 3, .milliseconds(50)))
        let timeout = min(self.configuration.watchTimeout, ttl)
        let timeoutMs = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        while !Task.isCancelled {
            do {
                let view = try await self.client.watch(name: self.configuration.name, after: after, timeoutMs: timeoutMs)
                backoff.reset()
                let previousTerm = self.terms.current
                guard self.terms.admit(view.term) else {
                    self.logger.warning("worker.view.stale_term", metadata: ["term": "\(view.term)", "highest": "\(self.terms.current)"])
                    continue
                }
                if previousTerm > 0, view.term > previousTerm {
                    // A new leader: its status board is empty until each subtask reports again.
                    let (client, worker, logger) = (self.client, self.configuration.name, self.logger)
                    Task {
                        await self.ledger.resendAll { status in
                            do {
                                try await client.reportSubtaskStatus(worker: worker, status)
                                return true
                            } catch {
                                logger.warning("worker.status.resend_failed", metadata: ["error": "\(error)"])
                                return false
                            }
                        }
                    }
                }
                after = view.sequence
                self.board.publish(view.operations, sequence: view.sequence)
                await self.supervisor.apply(view)
                self.statusBoard.viewApplied()
            } catch {
                if error.code == MasterClientError.cancelledCode || Task.isCancelled { return .cancelled }
                if error.status == 404 { return .lapsed }
                self.logger.warning("worker.watch.failed", metadata: ["error": "\(error)"])
                do { try await Task.sleep(for: backoff.next()) } catch { return .cancelled }
            }
        }
        return .cancelled
    }
}
