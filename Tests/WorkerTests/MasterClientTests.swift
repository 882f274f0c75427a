import Ctl
import Foundation
import MasterClient
import Testing

@Suite("MasterClient and ctl over real HTTP on loopback")
struct MasterClientTests {
    @Test("error bodies map to MasterClientError with status, code and field")
    func errorMapping() async throws {
        try await StubHTTPMaster.serve(StubHTTPMaster.leaderRouter()) { port in
            let client = try MasterClient(masters: ["127.0.0.1:\(port)"], token: StubHTTPMaster.token)
            let error = await #expect(throws: MasterClientError.self) { _ = try await client.getSource(name: "nope") }
            #expect(error?.status == 404)
            #expect(error?.code == "not_found")
            #expect(error?.field == "source-name")
            let anonymous = try MasterClient(masters: ["127.0.0.1:\(port)"])
            let denied = await #expect(throws: MasterClientError.self) { _ = try await anonymous.listWorkers() }
            #expect(denied?.status == 401)
            #expect(denied?.code == "unauthorized")
        }
    }

    @Test("fails over from a closed port to a live master and sticks to it")
    func failover() async throws {
        try await StubHTTPMaster.serve(StubHTTPMaster.leaderRouter()) { port in
            let client = try MasterClient(masters: ["127.0.0.1:1", "127.0.0.1:\(port)"], token: StubHTTPMaster.token)
            let workers = try await client.listWorkers()
            #expect(workers.map(\.name) == ["w1"])
            #expect(client.currentMaster == "http://127.0.0.1:\(port)")
        }
    }

    @Test("no reachable master is `unavailable` with no status")
    func unavailable() async throws {
        let client = try MasterClient(masters: ["127.0.0.1:1"])
        let error = await #expect(throws: MasterClientError.self) { _ = try await client.listWorkers() }
        #expect(error?.code == MasterClientError.unavailableCode)
        #expect(error?.status == nil)
    }

    @Test("follows a follower's 307 to the leader, keeping the token")
    func redirect() async throws {
        try await StubHTTPMaster.serve(StubHTTPMaster.leaderRouter()) { leader in
            try await StubHTTPMaster.serve(StubHTTPMaster.followerRouter(leaderPort: leader)) { follower in
                let client = try MasterClient(masters: ["127.0.0.1:\(follower)"], token: StubHTTPMaster.token)
                let workers = try await client.listWorkers()
                #expect(workers.map(\.name) == ["w1"])
            }
        }
    }

    @Test("ctl prints dmctl-shaped JSON and exits 0, 1 on a master error, 2 on usage")
    func ctlOutputAndExitCodes() async throws {
        try await StubHTTPMaster.serve(StubHTTPMaster.leaderRouter()) { port in
            let client = try MasterClient(masters: ["127.0.0.1:\(port)"], token: StubHTTPMaster.token)
            let ctl = Ctl(client: client)

            let members = await ctl.run(["list-member", "--worker"])
            #expect(members.exitCode == 0)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(members.json.utf8)) as? [String: Any])
            #expect(object["result"] as? Bool == true)
            #expect(object["msg"] as? String == "")
            #expect(members.json.contains("\"w1\""))

            let missing = await ctl.run(["get-config", "source", "nope"])
            #expect(missing.exitCode == 1)
            #expect(missing.json.contains("\"result\" : false"))
            #expect(missing.json.contains("not_found"))

            let usage = await ctl.run(["transfer-source", "only-one"])
            #expect(usage.exitCode == 2)
            let unknown = await ctl.run(["frobnicate"])
            #expect(unknown.exitCode == 2)
        }
    }
}
