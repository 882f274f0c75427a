import Domain

/// Which appended events can change one worker's view (`WorkerViewBuilder`), so a watch is woken
/// only by those instead of by every append.
///
/// A worker's view is its binding (source config, password, epoch), the subtasks of its source with
/// their expected stages, task configs and binlog operations, and the not-done shard-DDL operations
/// of that source. An
/// event is ignored only when it provably touches none of these; anything else (task events, lock
/// removals, which can drop not-done operations) wakes the watch, which then rebuilds the view and
/// answers only if it really changed. `WatchRelevanceTests` checks on random command streams that no
/// view change is ever missed.
enum WatchRelevance {
    /// - Parameters:
    ///   - worker: the watching worker.
    ///   - source: the source bound to it when the watch started waiting (a change of binding names
    ///     the worker, so it is never missed).
    static func concerns(_ event: Event, worker: WorkerName, source: SourceID?) -> Bool {
        switch event {
        case .checkpoint, .leader, .engine:
            return false
        case .worker(let e):
            return e.worker == worker
        case .binding(.bound(let s, let w, _)), .binding(.unbound(let s, let w, _, _)):
            return w == worker || s == source
        case .source(.added(let config)), .source(.updated(let config)):
            return config.sourceID == source
        case .source(.removed(let id)):
            return id == source
        case .task(.binlogOperationSet(_, let s, _)), .task(.binlogOperationRemoved(_, let s, _)),
            .task(.schemaOperationSet(_, let s, _)):
            return s == source
        case .task:
            return true
        case .pessimism(let e):
            return self.concerns(e, source: source)
        case .optimism(let e):
            return self.concerns(e, source: source)
        }
    }

    private static func concerns(_ event: PessimismEvent, source: SourceID?) -> Bool {
        guard let source else { return false }
        switch event {
        case .infoReported, .infoRejected, .lockCreated, .sourceSynced, .sourcesAdded, .unlockRequested:
            return false
        case .operationIssued(let op):
            return op.source == source
        case .operationDone(_, _, let s):
            return s == source
        case .sourceReleased(_, let s, let newOwner):
            return s == source || newOwner == source
        case .sourceLeftTask, .lockResolved, .lockRemoved, .taskRemoved:
            return true
        }
    }

    private static func concerns(_ event: OptimismEvent, source: SourceID?) -> Bool {
        guard let source else { return false }
        switch event {
        case .sourceTablesReported, .infoReported, .infoRejected, .lockCreated, .tableAdded, .operationDoneRejected,
             .droppedColumnStageChanged, .droppedColumnCleared, .operatorUnlocked:
            return false
        case .tableRemoved(_, let table, _):
            return table.source == source
        case .operationIssued(let op, _):
            return op.table.source == source
        case .conflictsResolved(_, let tables, let redirects, _):
            return tables.keys.contains { $0.source == source } || redirects.contains { $0.table.source == source }
        case .operationDone(_, let table, _):
            return table.source == source
        case .sourceLeftTask, .taskRemoved, .lockResolved, .lockRemoved:
            return true
        }
    }
}
