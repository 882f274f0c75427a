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

    @Test("ctl: warnings and --strict on operate-source/start-task, unknown lock in DM's words, list-member --master")
    func warningsStrictAndUnknownLock() async throws {
        try await withTemporaryDirectory("braid-ctl-warnings") { dir in
            let sourceFile = dir + "/source1.yaml"
            let taskFile = dir + "/task.yaml"
            try (LiveMasterTests.sourceYAML("s1") + "\nfancy-source-knob: 3\n").write(toFile: sourceFile, atomically: true, encoding: .utf8)
            try (WorkerFixtures.taskYAML("test", source: "s1") + "\nmystery: true\n").write(toFile: taskFile, atomically: true, encoding: .utf8)
            try await LiveMaster.serve(dataDir: dir + "/master") { port in
                let ctl = Ctl(client: try MasterClient(masters: ["127.0.0.1:\(port)"]))
                func json(_ result: Ctl.Result) throws -> [String: Any] {
                    try #require(try JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any])
                }
                let strictSource = await ctl.run(["operate-source", "create", sourceFile, "--strict"])
                #expect(strictSource.exitCode == 1, "\(strictSource.json)")
                #expect(try json(strictSource)["status"] as? Int == 400)
                #expect((try json(strictSource)["msg"] as? String ?? "").contains("fancy-source-knob"), "\(strictSource.json)")

                let created = await ctl.run(["operate-source", "create", sourceFile])
                #expect(created.exitCode == 0, "\(created.json)")
                let entry = (try json(created)["sources"] as? [[String: Any]])?.first
                #expect(entry?["warnings"] as? [String] == ["fancy-source-knob: unknown key, ignored"], "\(created.json)")

                let strictTask = await ctl.run(["start-task", "--strict", taskFile])
                #expect(strictTask.exitCode == 1)
                #expect((try json(strictTask)["msg"] as? String ?? "").contains("mystery"), "\(strictTask.json)")

                let unlock = await ctl.run(["shard-ddl-lock", "unlock", "test-`db`.`tb`", "-f"])
                #expect(unlock.exitCode == 1)
                #expect(try json(unlock)["msg"] as? String == "lock with ID test-`db`.`tb` not found", "\(unlock.json)")
                #expect(try json(unlock)["status"] as? Int == 404)

                // dmctl's `list-member --master` is the masters flag, not ctl's --master option.
                let masters = await ctl.run(["list-member", "--master"])
                #expect(masters.exitCode == 0, "\(masters.json)")
                let members = try json(masters)["members"] as? [[String: Any]] ?? []
                #expect(members.count == 1 && members.first?["master"] != nil, "\(masters.json)")
                // -s a,b is two sources, as in dmctl.
                let show = await ctl.run(["operate-source", "show", "-s", "s1,s9"])
                #expect((try json(show)["sources"] as? [[String: Any]])?.count == 1, "\(show.json)")
            }
        }
    }

    @Test("ctl --help and <command> --help answer usage text with exit 0; usage errors are JSON with exit 2")
    func helpAndUsage() async throws {
        let ctl = Ctl(client: try MasterClient(masters: ["127.0.0.1:1"]))
        let root = await ctl.run(["--help"])
        #expect(root.exitCode == 0)
        #expect(root.json.contains("USAGE:") && root.json.contains("start-task") && root.json.contains("shard-ddl-lock") && root.json.contains("operate-source"), "\(root.json)")
        let help: [(args: [String], mentions: [String])] = [
            (["start-task", "--help"], ["--remove-meta", "--strict", "--start-time", "-s, --source", "task.yaml"]),
            (["query-status", "--help"], ["--more", "<task-name>"]),
            (["shard-ddl-lock", "--help"], ["unlock", "show"]),
            (["shard-ddl-lock", "unlock", "--help"], ["-a, --action", "-f, --force-remove", "-d, --database", "-t, --table", "<lock-id>"]),
            (["binlog", "--help"], ["skip", "replace", "revert", "-b, --binlog-pos"]),
            (["operate-source", "--help"], ["create", "update", "stop", "show", "--strict"]),
            (["list-member", "--help"], ["--leader", "--masters", "--worker", "-n, --name"]),
        ]
        for (args, mentions) in help {
            let result = await ctl.run(args)
            #expect(result.exitCode == 0, "\(args)")
            for mention in mentions { #expect(result.json.contains(mention), "\(args): \(mention) in \(result.json)") }
        }
        for args in [["start-task"], ["stop-task"], ["binlog", "undo", "t"], ["get-config", "worker", "w1"], [], ["query-status", "--bogus"]] {
            let result = await ctl.run(args)
            #expect(result.exitCode == 2, "\(args): \(result.json)")
            #expect(result.json.contains("\"result\" : false"), "\(args): \(result.json)")
        }
        let start = await ctl.run(["start-task", "--start-time", "2026-01-01 00:00:00", "/nonexistent.yaml"])
        #expect(start.exitCode == 2 && start.json.contains("start-time"), "\(start.json)")
    }
}
