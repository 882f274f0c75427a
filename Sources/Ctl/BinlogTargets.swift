import API

/// Which subtasks, at which positions, a `binlog skip|replace` addresses (dmctl `binlog`).
///
/// - `-b` absent: each addressed subtask must be paused on an error naming its event position
///   (query-status' `error_binlog_pos`), and the operation is stored at that position.
/// - `-s` absent: every subtask paused on such an error; with `-b`, those whose error is at that
///   position, or the task's only subtask. Anything else is ambiguous and refused.
enum BinlogTargets {
    struct Target: Sendable, Hashable {
        var source: String
        /// `file:pos`.
        var position: String
    }

    static func resolve(
        _ status: Components.Schemas.TaskStatus, sources: [String], position: String?
    ) throws(CtlError) -> [Target] {
        let subtasks = status.subtasks
        let known = Set(subtasks.map(\.source))
        for source in sources where !known.contains(source) {
            throw CtlError.failed("task \(status.name) has no subtask on source \(source)")
        }
        if !sources.isEmpty {
            return try sources.map { (source) throws(CtlError) -> Target in
                if let position { return Target(source: source, position: position) }
                guard let subtask = subtasks.first(where: { $0.source == source }), let at = Self.errorPosition(subtask) else {
                    throw CtlError.failed(
                        "subtask \(status.name)/\(source) is not paused on a binlog event error; name the event with -b file:pos")
                }
                return Target(source: source, position: at)
            }
        }
        let failing = subtasks.compactMap { s in Self.errorPosition(s).map { Target(source: s.source, position: $0) } }
        if let position {
            let matching = failing.filter { $0.position == position }
            if !matching.isEmpty { return matching }
            if subtasks.count == 1 { return [Target(source: subtasks[0].source, position: position)] }
            throw CtlError.failed(
                "no paused subtask of task \(status.name) failed at \(position), and the task has \(subtasks.count) subtasks; name the source with -s")
        }
        guard !failing.isEmpty else {
            throw CtlError.failed(
                "no subtask of task \(status.name) is paused on a binlog event error; name the event with -s source -b file:pos")
        }
        return failing
    }

    /// The position of the event a paused subtask failed on, if its status names one.
    static func errorPosition(_ subtask: Components.Schemas.SubtaskView) -> String? {
        guard let status = subtask.status, status.stage == .Paused, let position = status.error_binlog_pos,
            !position.isEmpty
        else { return nil }
        return position
    }
}
