import Domain

/// Reactions that span deciders, kept here so no decider needs to know another.
enum CrossConcernPolicy {
    static func reactions(to event: Event) -> [ClusterCommand] {
        switch event {
        case .task(.subtaskRemoved(let task, let source)):
            // A source leaving a task releases its part of every lock automatically (DM needs a manual unlock, P5).
            return [.pessimism(.sourceLeftTask(task: task, source: source)), .optimism(.sourceLeftTask(task: task, source: source))]
        case .task(.stopped(let task)):
            // Stopping a task drops its locks with it (P6).
            return [.pessimism(.taskRemoved(task: task)), .optimism(.taskRemoved(task: task))]
        case .source, .worker, .binding, .task, .pessimism, .optimism, .checkpoint, .leader, .engine:
            return []
        }
    }
}
