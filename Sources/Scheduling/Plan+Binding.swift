import Domain

/// Binding decisions shared by the worker, source and transfer commands.
extension Plan {
    /// Binds `source` to `worker` under the next cluster-wide epoch.
    mutating func bind(_ source: SourceID, to worker: WorkerName) {
        self.emit(.binding(.bound(source, worker, epoch: self.state.lastEpoch + 1)))
    }

    /// Ends `source`'s binding, if any; returns the worker it had.
    @discardableResult
    mutating func unbind(_ source: SourceID, reason: UnbindReason) -> WorkerName? {
        guard let binding = self.state.bindings[source] else { return nil }
        self.emit(.binding(.unbound(source, binding.worker, epoch: binding.epoch, reason: reason)))
        return binding.worker
    }

    /// DM `tryBoundForSource`: the free worker that last served `source`, else the first free
    /// worker by name. Does nothing if the source is gone, already bound, or no worker is free.
    mutating func tryBindSource(_ source: SourceID) {
        guard self.state.sources[source] != nil, self.state.bindings[source] == nil else { return }
        let free = self.state.freeWorkers
        let preferred = free.first { self.state.workers[$0]?.lastBoundSource == source }
        guard let worker = preferred ?? free.first else { return }
        self.bind(source, to: worker)
    }

    /// DM `tryBoundForWorker`: the worker's last-bound source if it exists and is unbound, else
    /// the first unbound source by id. Does nothing unless the worker is free.
    mutating func tryBindWorker(_ worker: WorkerName) {
        guard let record = self.state.workers[worker], record.stage == .free else { return }
        let unbound = self.state.unboundSources
        var choice = unbound.first
        if let last = record.lastBoundSource, self.state.sources[last] != nil, self.state.bindings[last] == nil {
            choice = last
        }
        guard let source = choice else { return }
        self.bind(source, to: worker)
    }
}
