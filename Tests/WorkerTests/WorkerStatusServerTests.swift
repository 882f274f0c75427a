import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Worker

@Suite("The worker's --listen endpoint: /status and /metrics")
struct WorkerStatusServerTests {
    @Test("GET /status shows the session, the binding and each subtask's expected and reported stage")
    func statusShowsBindingAndSubtasks() async throws {
        let board = WorkerStatusBoard(name: "w1")
        board.registered(master: "127.0.0.1:8261")
        board.bound(source: "s1", epoch: 3)
        board.expect(SubtaskKey(task: "t1", source: "s1"), "Running")
        board.expect(SubtaskKey(task: "t2", source: "s1"), "Paused")
        board.reported(SubtaskKey(task: "t1", source: "s1"), stage: .running, error: nil)
        board.keepalive(ok: true)
        board.keepalive(ok: false)
        let app = Application(router: WorkerStatusServer.router(board: board))
        try await app.test(.router) { client in
            try await client.execute(uri: "/status", method: .get) { response in
                #expect(response.status == .ok)
                let status = try JSONDecoder().decode(WorkerStatus.self, from: Data(buffer: response.body))
                #expect(status.name == "w1" && status.registered && status.source == "s1" && status.bindingEpoch == 3)
                #expect(status.subtasks.map(\.task) == ["t1", "t2"])
                #expect(status.subtasks.map(\.expectedStage) == ["Running", "Paused"])
                #expect(status.subtasks.map(\.stage) == ["Running", "New"])
                #expect(String(buffer: response.body).contains("\"binding_epoch\":3"))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("braid_worker_bound 1"), "\(text)")
                #expect(text.contains("braid_worker_binding_epoch 3"), "\(text)")
                #expect(text.contains(#"braid_worker_subtasks{stage="Running"} 1"#), "\(text)")
                #expect(text.contains(#"braid_worker_keepalives_total{result="failed"} 1"#), "\(text)")
            }
        }
        // Unbinding empties the view of the worker's work.
        board.retain([])
        board.bound(source: nil, epoch: nil)
        #expect(board.status.subtasks.isEmpty && board.status.source == nil)
    }

    @Test("--listen parses host:port, bracketed IPv6, and refuses anything else")
    func listenAddresses() throws {
        #expect(try WorkerStatusServer.parse("127.0.0.1:8262") == ("127.0.0.1", 8262))
        #expect(try WorkerStatusServer.parse("[::1]:80") == ("::1", 80))
        for bad in ["8262", "host:", ":80", "h:99999", "h:x"] {
            #expect(throws: WorkerAddressError.self) { try WorkerStatusServer.parse(bad) }
        }
    }
}
