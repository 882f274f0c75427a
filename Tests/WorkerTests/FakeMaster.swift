import API
import Foundation
import HTTPTypes
import NIOCore
import OpenAPIRuntime
import Synchronization
import Worker

/// An in-memory stand-in for the master's worker protocol, plugged in as the client's transport.
///
/// It is a named test double, not a protocol implementation: register/keepalive/watch, Infos
/// answered with an Operation at once (exec for the first source of a lock, skip for others),
/// done reports, checkpoints and status. Everything it sees goes on `timeline` (shared with
/// `TimelineRunner`), and tests wait on it with deadlines. `failKeepalive` injects the lease lapse.
final class FakeMaster: Sendable {
    struct State {
        // Generous: under a loaded 2-core machine a short TTL lapses by scheduling delay alone.
        var ttlMs: Int64 = 3_000
        var sequence: Int64 = 1
        var source: Components.Schemas.SourceConfig?
        var epoch: Int64?
        var subtasks: [Components.Schemas.WorkerView.subtasksPayloadPayload] = []
        var operations: [Components.Schemas.Operation] = []
        var failKeepalive = false
        var timeline: [String] = []
        var checkpoints: [Components.Schemas.Checkpoint] = []
        var statuses: [Components.Schemas.SubtaskStatus] = []
    }

    let state = Mutex(State())
    let changed = Mutex(Gate(open: false))

    var timeline: [String] { self.state.withLock { $0.timeline } }

    func note(_ entry: String) {
        self.state.withLock { $0.timeline.append(entry) }
        self.bump(sequence: false)
    }

    /// Changes the view (bumping the sequence) and wakes long polls.
    func update(_ body: (inout State) -> Void) {
        self.state.withLock { state in
            body(&state)
            state.sequence += 1
        }
        self.bump(sequence: false)
    }

    private func bump(sequence: Bool) {
        let old = self.changed.withLock { gate in
            defer { gate = Gate(open: false) }
            return gate
        }
        old.open()
    }

    /// Waits until `predicate(timeline)` holds, or fails at the deadline.
    func waitFor(
        _ what: String, timeout: Duration = .seconds(30), _ predicate: ([String]) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let gate = self.changed.withLock { $0 }
            if predicate(self.timeline) { return }
            guard ContinuousClock.now < deadline else {
                throw FakeMasterError.timeout("\(what); timeline: \(self.timeline)")
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await gate.wait() }
                group.addTask { try? await Task.sleep(until: deadline) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    func bind(source: String, epoch: Int64, subtasks: [(task: String, stage: String, yaml: String)]) {
        self.update { state in
            state.source = .init(source_id: source, from: .init(host: "127.0.0.1", port: 3306, user: "root"))
            state.epoch = epoch
            state.subtasks = subtasks.map {
                .init(task: $0.task, source: source, expected_stage: .init(rawValue: $0.stage)!, task_yaml: $0.yaml)
            }
        }
    }
}

enum FakeMasterError: Error { case timeout(String) }

/// The transport side of `FakeMaster`.
struct FakeMasterTransport: ClientTransport {
    let master: FakeMaster

    func send(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var bytes: Data?
        if let body { bytes = try await Data(collecting: body, upTo: 1 << 20) }
        let decoder = JSONDecoder()
        switch operationID {
        case "registerWorker":
            self.master.note("register")
            return try self.json(self.registration())
        case "keepalive":
            if self.master.state.withLock({ $0.failKeepalive }) {
                self.master.note("keepalive.failed")
                // What the transport throws for a master that refuses the connection.
                throw IOError(errnoCode: ECONNREFUSED, reason: "connect")
            }
            return try self.json(self.registration())
        case "watch":
            let query = URLComponents(string: request.path ?? "")?.queryItems ?? []
            let after = Int64(query.first { $0.name == "after" }?.value ?? "0") ?? 0
            let timeout = Int(query.first { $0.name == "timeout_ms" }?.value ?? "0") ?? 0
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeout))
            while self.master.state.withLock({ $0.sequence }) <= after, ContinuousClock.now < deadline {
                let gate = self.master.changed.withLock { $0 }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await gate.wait() }
                    group.addTask { try? await Task.sleep(until: deadline) }
                    await group.next()
                    group.cancelAll()
                }
                try Task.checkCancellation()
            }
            let view = self.master.state.withLock { s in
                Components.Schemas.WorkerView(
                    sequence: s.sequence, term: 1, source: s.source, binding_epoch: s.epoch, subtasks: s.subtasks,
                    operations: s.operations)
            }
            return try self.json(view)
        case "reportPessimisticInfo":
            let info = try decoder.decode(Components.Schemas.PessimisticInfo.self, from: bytes ?? Data())
            let lock = "\(info.task)-`\(info.schema)`.`\(info.table)`"
            self.master.note("info \(info.source) \(lock)")
            self.master.update { s in
                let owner = !s.operations.contains { $0.lock_id == lock }
                s.operations.append(.init(
                    mode: .pessimistic, lock_id: lock, lock_serial: 1, task: info.task, source: info.source,
                    ddls: info.ddls, exec: owner, done: false))
            }
            return try self.json(Components.Schemas.AppendedEvents(first_sequence: 1, events: ["ShardDDLInfoReported"]))
        case "operationDone":
            let done = try decoder.decode(Components.Schemas.OperationDone.self, from: bytes ?? Data())
            self.master.note("done \(done.source) \(done.lock_id) serial=\(done.lock_serial ?? -1)")
            self.master.update { s in
                for i in s.operations.indices where s.operations[i].lock_id == done.lock_id && s.operations[i].source == done.source {
                    s.operations[i].done = true
                }
            }
            return try self.json(Components.Schemas.AppendedEvents(first_sequence: 1, events: ["OperationDone"]))
        case "reportCheckpoint":
            let checkpoint = try decoder.decode(Components.Schemas.Checkpoint.self, from: bytes ?? Data())
            self.master.state.withLock { $0.checkpoints.append(checkpoint) }
            self.master.note("checkpoint \(checkpoint.source) epoch=\(checkpoint.binding_epoch) pos=\(checkpoint.binlog_pos)")
            return try self.json(Components.Schemas.AppendedEvents(first_sequence: 1, events: ["CheckpointReported"]))
        case "reportSubtaskStatus":
            let status = try decoder.decode(Components.Schemas.SubtaskStatus.self, from: bytes ?? Data())
            self.master.note("status \(status.task)@\(status.source) \(status.stage.rawValue)")
            return (HTTPResponse(status: .noContent), nil)
        case "stopWorker":
            self.master.note("stop")
            return (HTTPResponse(status: .noContent), nil)
        default:
            return try self.json(Components.Schemas._Error(code: "not_found", message: "no \(operationID)"), status: .notFound)
        }
    }

    private func registration() -> Components.Schemas.Registration {
        .init(name: "w1", term: 1, keepalive_ttl_ms: self.master.state.withLock { $0.ttlMs })
    }

    private func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> (HTTPResponse, HTTPBody?) {
        (HTTPResponse(status: status, headerFields: [.contentType: "application/json"]), HTTPBody(try JSONEncoder().encode(value)))
    }
}
