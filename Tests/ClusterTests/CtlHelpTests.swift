import BraidTestSupport
import Foundation
import Testing

/// `braid ctl --help` and `braid ctl <command> --help` print usage from the real executable; usage
/// errors stay ctl's JSON with exit 2. No servers needed.
@Suite struct CtlHelpTests {
    func braid(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let cluster = try ProcessCluster(label: "ctl-help")
        return try await cluster.run(arguments)
    }

    @Test func helpAtEveryLevel() async throws {
        let root = try await self.braid(["ctl", "--help"])
        #expect(root.status == 0, "\(root.output)")
        for name in ["operate-source", "start-task", "query-status", "shard-ddl-lock", "binlog", "list-member", "--master"] {
            #expect(root.output.contains(name), "\(name) in \(root.output)")
        }
        let start = try await self.braid(["ctl", "start-task", "--help"])
        #expect(start.status == 0)
        #expect(start.output.contains("USAGE: braid ctl start-task") && start.output.contains("--remove-meta")
            && start.output.contains("--strict") && start.output.contains("task.yaml"), "\(start.output)")
        let unlock = try await self.braid(["ctl", "shard-ddl-lock", "unlock", "--help"])
        #expect(unlock.status == 0)
        #expect(unlock.output.contains("--force-remove") && unlock.output.contains("<lock-id>"), "\(unlock.output)")
        let viaHelp = try await self.braid(["help", "ctl", "binlog"])
        #expect(viaHelp.status == 0 && viaHelp.output.contains("--binlog-pos"), "\(viaHelp.output)")
    }

    @Test func usageErrorsAreJSONWithExitTwo() async throws {
        for arguments in [["ctl", "start-task"], ["ctl", "frobnicate"], ["ctl"], ["ctl", "binlog", "undo", "t"]] {
            let out = try await self.braid(arguments)
            #expect(out.status == 2, "\(arguments): \(out.output)")
            let json = try JSONSerialization.jsonObject(with: Data(out.output.utf8)) as? [String: Any]
            #expect(json?["result"] as? Bool == false, "\(arguments): \(out.output)")
        }
        // A master that does not answer is a failure (1), not a usage error.
        let port = ProcessCluster.freePort()
        let down = try await self.braid(["ctl", "--master", "127.0.0.1:\(port)", "list-member", "--master"])
        #expect(down.status == 1, "\(down.output)")
    }
}
