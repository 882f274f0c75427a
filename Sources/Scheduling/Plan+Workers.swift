import Domain

extension Plan {
    typealias Failure = Scheduling.Error

    private func worker(_ name: WorkerName) throws(Failure) -> Scheduling.WorkerRecord {
        guard let record = self.state.workers[name] else {
            throw Failure(.workerNotFound, "worker \(name) is not registered")
        }
        return record
    }

    /// DM `AddWorker`: same name and address again is a no-op; a name cannot move to another address.
    mutating func registerWorker(_ name: WorkerName, address: String) throws(Failure) {
        guard !name.rawValue.isEmpty, !address.isEmpty else {
            throw Failure(.invalidCommand, "worker name and address must not be empty")
        }
        if let existing = self.state.workers[name] {
            guard existing.address == address else {
                throw Failure(
                    .workerAddressConflict,
                    "worker \(name) is registered with address \(existing.address), not \(address)"
                )
            }
            return
        }
        self.emit(.worker(.registered(name, address: address)))
    }

    /// Records liveness; an offline worker becomes free and is offered a source (DM `handleWorkerOnline`).
    /// An online worker's keepalive is recorded only once the recorded one is `refreshAfter` old.
    mutating func keepalive(_ name: WorkerName, at: Int64, refreshAfter: Int64) throws(Failure) {
        let record = try self.worker(name)
        if record.isOnline, let last = record.lastKeepalive {
            let (age, overflow) = at.subtractingReportingOverflow(last)
            if !overflow, age < refreshAfter { return }
        }
        self.emit(.worker(.keepalive(name, at: at)))
        if !record.isOnline { self.tryBindWorker(name) }
    }

    /// Expires every online worker whose last keepalive is more than `ttl` before `now`, then
    /// offers the sources they held to the remaining free workers (DM `handleWorkerOffline`).
    /// All expiries come before any rebinding so no source is handed to a worker that is itself
    /// expiring in this tick.
    mutating func tick(now: Int64, ttl: Int64, lastSeen: [WorkerName: Int64]) throws(Failure) {
        guard ttl > 0 else { throw Failure(.invalidCommand, "keepalive TTL must be positive, got \(ttl)") }
        let expired = self.state.workers.filter { name, w in
            guard w.isOnline, let recorded = w.lastKeepalive else { return false }
            let last = max(recorded, lastSeen[name] ?? recorded)
            // Times are input: compare without trapping on absurd values.
            let (age, overflow) = now.subtractingReportingOverflow(last)
            return overflow ? now > last : age > ttl
        }.keys.sorted()
        var released: [SourceID] = []
        for name in expired {
            if let source = self.state.workers[name]?.boundSource {
                self.unbind(source, reason: .workerExpired)
                released.append(source)
            }
            self.emit(.worker(.expired(name, at: now)))
        }
        for source in released.sorted() { self.tryBindSource(source) }
    }

    /// A graceful stop: offline at once, without waiting for the TTL.
    mutating func stopWorker(_ name: WorkerName) throws(Failure) {
        let record = try self.worker(name)
        guard record.isOnline else { return }
        let source = record.boundSource
        if let source { self.unbind(source, reason: .workerStopped) }
        self.emit(.worker(.offlined(name)))
        if let source { self.tryBindSource(source) }
    }

    /// DM `RemoveWorker`: only an offline worker can be forgotten.
    mutating func offlineMember(_ name: WorkerName) throws(Failure) {
        let record = try self.worker(name)
        guard !record.isOnline else {
            throw Failure(
                .workerNotOffline,
                "worker \(name) is \(record.stage.rawValue); only an offline worker can be removed"
            )
        }
        self.emit(.worker(.removed(name)))
    }
}
