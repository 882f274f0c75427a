import BraidTestSupport
import Domain
import Scheduling
import Testing

@Suite struct SourceTests {
    // DM: UpdateSourceCfg — only when no subtask uses the source.
    @Test func updateOnlyWhenUnused() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s1)
        let changed = SchedulingCommandGenerator.sourceConfig(s1, port: 3307)
        #expect(try h.run(.updateSource(SchedulingCommandGenerator.sourceConfig(s1))).isEmpty)
        #expect(try h.run(.updateSource(changed)) == [.source(.updated(changed))])
        #expect(h.state.boundWorker(of: s1) == w1)  // an update does not move the binding
        try h.startTask("test", s1)
        #expect(h.refuse(.updateSource(SchedulingCommandGenerator.sourceConfig(s1))) == .sourceInUse)
        #expect(h.refuse(.updateSource(SchedulingCommandGenerator.sourceConfig(s2))) == .sourceNotFound)
    }

    // DM: RemoveSourceCfg — refused with ErrSchedulerSourceOpTaskExist; the freed worker tries another source.
    @Test func removeRefusedWhileATaskUsesIt() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s1, s2)
        try h.startTask("test", s1)
        #expect(h.refuse(.removeSource(s1)) == .sourceInUse)
        try h.run(.stopTask("test"))
        let epoch = try #require(h.state.bindingEpoch(of: s1))
        #expect(
            try h.run(.removeSource(s1)) == [
                .binding(.unbound(s1, w1, epoch: epoch, reason: .sourceRemoved)), .source(.removed(s1)),
                .binding(.bound(s2, w1, epoch: epoch + 1)),
            ]
        )
        #expect(h.refuse(.removeSource(s1)) == .sourceNotFound)
    }
}

@Suite struct TaskTests {
    // DM: AddSubTasks — every source must be bound (ErrSchedulerSourcesUnbound) and exist.
    @Test func startRequiresExistingBoundSources() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s1, s2)  // s2 unbound
        #expect(
            h.refuse(.startTask(SchedulingCommandGenerator.taskConfig("test", sources: [s1, s2]))) == .sourceUnbound
        )
        #expect(
            h.refuse(.startTask(SchedulingCommandGenerator.taskConfig("test", sources: [s1, s3]))) == .sourceNotFound
        )
        let config = SchedulingCommandGenerator.taskConfig("test", sources: [s1, s2])
        #expect(h.refuse(.startTask(config, sources: [s3])) == .invalidCommand)
        #expect(
            try h.run(.startTask(config, sources: [s1])) == [
                .task(.started("test", config: config, sources: [s1])), .task(.subtaskScheduled("test", source: s1)),
            ]
        )
        #expect(h.refuse(.startTask(config, sources: [s1])) == .taskExists)
        #expect(h.state.sources(ofTask: "test") == [s1])
        #expect(h.state.expectedStage(task: "test", source: s1) == .running)
    }

    // DM: pause-task / resume-task write expected stages; per source or for the whole task.
    @Test func pauseAndResume() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2)
        try h.startTask("test", s1, s2)
        #expect(try h.run(.pauseTask("test", source: s2)) == [.task(.stageChanged("test", source: s2, stage: .paused))])
        #expect(try h.run(.pauseTask("test", source: s2)).isEmpty)
        #expect(h.state.expectedStage(task: "test", source: s1) == .running)
        #expect(try h.run(.pauseTask("test")) == [.task(.stageChanged("test", source: nil, stage: .paused))])
        #expect(try h.run(.pauseTask("test")).isEmpty)
        try h.run(.resumeTask("test"))
        #expect(
            h.state.expectedStage(task: "test", source: s1) == .running
                && h.state.expectedStage(task: "test", source: s2) == .running
        )
        #expect(h.refuse(.pauseTask("nope")) == .taskNotFound)
        #expect(h.refuse(.resumeTask("test", source: s3)) == .subtaskNotFound)
    }

    // Resuming a subtask already expected Running is still recorded (DM rewrites the stage key): a
    // subtask its own error paused waits for exactly that. The count goes with the subtask.
    @Test func resumeOfARunningSubtaskCounts() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2)
        try h.startTask("test", s1, s2)
        #expect(h.state.resumeCount(task: "test", source: s1) == 0)
        #expect(try h.run(.resumeTask("test", source: s1)) == [.task(.stageChanged("test", source: s1, stage: .running))])
        #expect(try h.run(.resumeTask("test")) == [.task(.stageChanged("test", source: nil, stage: .running))])
        #expect(h.state.resumeCount(task: "test", source: s1) == 2)
        #expect(h.state.resumeCount(task: "test", source: s2) == 1)
        try h.run(.stopTask("test", source: s1))
        #expect(h.state.resumeCount(task: "test", source: s1) == 0)
        try h.run(.stopTask("test"))
        #expect(h.state.resumes.isEmpty)
    }

    // DM: stop-task deletes the stage keys; `-s` stops one source's subtask; the task goes with the last.
    @Test func stopPerSourceThenWhole() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2)
        try h.startTask("test", s1, s2)
        #expect(try h.run(.stopTask("test", source: s1)) == [.task(.subtaskRemoved("test", source: s1))])
        #expect(h.state.sources(ofTask: "test") == [s2])
        #expect(
            try h.run(.stopTask("test", source: s2)) == [
                .task(.subtaskRemoved("test", source: s2)), .task(.stopped("test")),
            ]
        )
        #expect(h.state.tasks.isEmpty && h.state.sources(ofTask: "test").isEmpty)
        try h.startTask("test", s1, s2)
        #expect(
            try h.run(.stopTask("test")) == [
                .task(.subtaskRemoved("test", source: s1)), .task(.subtaskRemoved("test", source: s2)),
                .task(.stopped("test")),
            ]
        )
    }

    // DM_STOP_TASK_FOR_A_SOURCE: `stop-task -s` then `start-task -s` with the task's config re-adds the
    // subtask; a source that still runs the task, another config, or no `-s` are refused.
    @Test func startWithSourcesReaddsAStoppedSubtask() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2)
        let config = SchedulingCommandGenerator.taskConfig("test", sources: [s1, s2])
        try h.run(.startTask(config))
        try h.run(.stopTask("test", source: s2))
        #expect(h.state.sources(ofTask: "test") == [s1])
        #expect(h.refuse(.startTask(config)) == .taskExists)
        #expect(h.refuse(.startTask(config, sources: [s1, s2])) == .taskExists)
        var other = config
        other.metaSchema = "other_meta"
        #expect(h.refuse(.startTask(other, sources: [s2])) == .taskExists)
        #expect(try h.run(.startTask(config, sources: [s2])) == [.task(.subtaskScheduled("test", source: s2))])
        #expect(h.state.sources(ofTask: "test") == [s1, s2])
        #expect(h.state.expectedStage(task: "test", source: s2) == .running)
        #expect(h.state.tasks["test"]?.config == config)
    }

    // Subtasks follow the binding: when a worker expires its subtasks move with the source, and
    // they survive a period with no worker at all.
    @Test func subtasksFollowTheSourceThroughFailover() throws {
        var h = Harness()
        try h.online(w1)
        try h.addSources(s1)
        try h.startTask("test", s1)
        h.now += 11_000
        try h.run(.tick(now: h.now))
        #expect(h.state.boundWorker(of: s1) == nil)
        #expect(h.state.sources(ofTask: "test") == [s1])
        try h.online(w2)
        #expect(h.state.subtasks(ofWorker: w2) == [Scheduling.SubtaskID(task: "test", source: s1)])
    }
}

@Suite struct CheckpointReportTests {
    // DM tiflow#3737: after failover the old worker must not move the source's progress.
    @Test func onlyTheCurrentBindingMayReport() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1)
        try h.startTask("test", s1)
        let old = try #require(h.state.bindingEpoch(of: s1))
        let position = BinlogPosition(file: "mysql-bin.000001", pos: 1234)
        func report(_ w: WorkerName, _ epoch: UInt64) -> Scheduling.Command {
            .reportCheckpoint(
                task: "test",
                source: s1,
                worker: w,
                epoch: epoch,
                position: position,
                gtid: nil,
                at: h.now
            )
        }
        #expect(
            try h.run(report(w1, old)) == [
                .checkpoint(.reported(task: "test", source: s1, position: position, gtid: nil, at: h.now))
            ]
        )
        try h.run(.transferSource(s1, to: w2))
        let new = try #require(h.state.bindingEpoch(of: s1))
        #expect(h.refuse(report(w1, old)) == .staleBinding)
        #expect(h.refuse(report(w2, old)) == .staleBinding)
        #expect(try h.run(report(w2, new)).count == 1)
        #expect(
            h.refuse(
                .reportCheckpoint(
                    task: "nope",
                    source: s1,
                    worker: w2,
                    epoch: new,
                    position: position,
                    gtid: nil,
                    at: 0
                )
            ) == .taskNotFound
        )
        #expect(
            h.refuse(
                .reportCheckpoint(
                    task: "test",
                    source: s2,
                    worker: w2,
                    epoch: new,
                    position: position,
                    gtid: nil,
                    at: 0
                )
            ) == .subtaskNotFound
        )
        #expect(h.replayed() == h.state)
    }
}

@Suite struct StateTests {
    @Test func stateRoundTripsAndReplays() throws {
        var h = Harness()
        try h.online(w1, w2)
        try h.addSources(s1, s2, s3)
        try h.startTask("test", s1, s2)
        try h.run(.pauseTask("test", source: s1))
        try h.run(.stopWorker(w1))
        #expect(h.replayed() == h.state)
        #expect(try Scheduling.State(decoding: h.state.encodedBytes()) == h.state)
        #expect(h.state.encodedBytes() == h.replayed().encodedBytes())  // deterministic bytes for snapshots
    }

    @Test func otherCategoriesAreIgnored() {
        var state = Scheduling.State()
        Scheduling.evolve(
            &state,
            .checkpoint(.reported(task: "t", source: s1, position: .init(file: "f.1", pos: 4), gtid: nil, at: 0))
        )
        #expect(state == Scheduling.State())
    }

    @Test func invariantsCatchABrokenState() throws {
        var state = Scheduling.State()
        Scheduling.evolve(&state, .worker(.registered(w1, address: "a")))
        Scheduling.evolve(&state, .source(.added(SchedulingCommandGenerator.sourceConfig(s1))))
        Scheduling.evolve(&state, .binding(.bound(s1, w1, epoch: 1)))  // bound while offline: only a buggy decider does this
        #expect(throws: InvariantViolation.self) { try state.checkInvariants() }
    }
}
