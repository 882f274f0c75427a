import BraidTestSupport
import Ctl
import Foundation
import MasterClient
import Testing

@Suite("ctl against the real in-process master")
struct CtlLiveTests {
    @Test("operate-source create/show/stop, start-task refused on an unbound source, query-status, shard-ddl-lock, list-member")
    func lifecycle() async throws {
        try await withTemporaryDirectory("braid-ctl-live") { dir in
            let sourceFile = dir + "/source1.yaml"
            let taskFile = dir + "/task.yaml"
            try LiveMasterTests.sourceYAML("s1").write(toFile: sourceFile, atomically: true, encoding: .utf8)
            try WorkerFixtures.taskYAML("test", source: "s1").write(toFile: taskFile, atomically: true, encoding: .utf8)
            try await LiveMaster.serve(dataDir: dir + "/master") { port in
                let ctl = Ctl(client: try MasterClient(masters: ["127.0.0.1:\(port)"]))
                func ok(_ args: [String]) async throws -> [String: Any] {
                    let result = await ctl.run(args)
                    #expect(result.exitCode == 0, "\(args): \(result.json)")
                    return try #require(try JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any])
                }
                _ = try await ok(["operate-source", "create", sourceFile])
                let shown = try await ok(["operate-source", "show"])
                #expect((shown["sources"] as? [[String: Any]])?.first?["source"] as? String == "s1")
                // No worker: the task cannot start on an unbound source (dmctl: ErrSchedulerSourcesUnbound).
                let refused = await ctl.run(["start-task", taskFile])
                #expect(refused.exitCode == 1, "\(refused.json)")
                #expect(refused.json.contains("\"result\" : false"))
                _ = try await ok(["shard-ddl-lock"])
                _ = try await ok(["query-status"])
                let missing = await ctl.run(["query-status", "nope"])
                #expect(missing.exitCode == 1)
                _ = try await ok(["operate-source", "stop", sourceFile])
                let members = try await ok(["list-member"])
                #expect(members["members"] != nil)
            }
        }
    }
}
