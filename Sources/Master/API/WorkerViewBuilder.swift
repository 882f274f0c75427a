import API
import Domain
import Foundation
import Optimism
import Pessimism
import Projections

/// What one worker must know, computed from the state: its binding, its subtasks with their
/// expected stages, task config, binlog operations (`binlog skip|replace`) and schema operations
/// (`binlog-schema update|delete`), and the not-done
/// shard-DDL operations of its source.
///
/// Operations are listed until the worker reports them done, so an unanswered operation is
/// re-delivered on every watch (that is the retry: no timer, no lost operation after a restart).
///
/// `task_yaml` is the task's `Domain.TaskConfig` in its Codable form, encoded as YAML with Yams
/// (decode it with `YAMLDecoder` into `TaskConfig`); it is derived from the logged config, so it
/// is the same after a master restart. The target-database password in it, like
/// `source_password`, is sealed with the master's key when `--secret-key-file` is set.
struct WorkerViewBuilder {
    let memo: WorkerViewMemo

    func view(worker: WorkerName, state: ClusterState, term: UInt64) -> Components.Schemas.WorkerView {
        let s = state.scheduling
        var view = Components.Schemas.WorkerView(
            sequence: Int64(state.lastSequence), term: Int64(term), subtasks: [], operations: [])
        guard let source = s.boundSource(of: worker), let config = s.sources[source] else { return view }
        view.source = Conversions.sourceConfig(config)
        view.source_password = config.from.password.isEmpty ? nil : self.memo.sealed(config.from.password)
        view.binding_epoch = s.bindingEpoch(of: source).map { Int64($0) }
        for id in s.subtasks(ofSource: source) {
            guard let record = s.tasks[id.task], let stage = record.subtasks[source] else { continue }
            let operations = record.binlogOperations(of: source)
            let schemaOperations = s.schemaOperations(task: id.task, source: source)
            view.subtasks.append(.init(
                task: id.task.rawValue, source: source.rawValue, expected_stage: stage == .running ? .Running : .Paused,
                resumes: Int64(s.resumeCount(task: id.task, source: source)),
                shard_mode: record.config.shardMode?.rawValue, task_yaml: self.memo.taskYAML(record.config),
                binlog_operations: operations.isEmpty
                    ? nil : operations.map { MasterAPI.binlogOperation($0, task: id.task, source: source) },
                schema_operations: schemaOperations.isEmpty
                    ? nil : schemaOperations.map {
                        Components.Schemas.SchemaOperation(id: Int64($0.id), schema: $0.schema, table: $0.table, create_table: $0.createTable)
                    }))
            for op in state.pessimism.pendingOperations(task: id.task, source: source) {
                guard let lock = state.pessimism.lock(op.lock) else { continue }
                view.operations.append(LockViews.operation(op, downstream: lock.downstream))
            }
            for lock in state.optimism.locks(task: id.task) {
                for (key, entry) in lock.tables.sorted(by: { $0.key < $1.key }) where key.source == source {
                    guard let op = entry.operation, !entry.done else { continue }
                    view.operations.append(LockViews.operation(op, task: id.task, done: false))
                }
            }
        }
        return view
    }
}
