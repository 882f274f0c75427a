import BraidTestSupport
import Etcd
import EventLog
import Foundation
import HA
import Leader
import Logging

/// One simulated master inside the test process: an elector and an `EtcdLog` over its own LMDB
/// mirror, against a real etcd cluster.
final class TestMember: Sendable {
    let name: String
    let directory: String
    let mirror: LMDBLog
    let elector: EtcdElector
    let log: EtcdLog

    /// A 5 s lease: the suite shares two cores with the rest of the run, and a starved keepalive
    /// must not depose a leader mid-test (the fence would then refuse its appends, correctly).
    init(
        _ name: String, etcd: EtcdCluster, cluster: String, ttl: Duration = .seconds(5), snapshotPartBytes: Int = 512 << 10,
        pipelineDepth: Int = EtcdLog.defaultPipelineDepth
    ) throws {
        self.name = name
        self.directory = etcd.directory + "/member-\(name)-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        self.mirror = try LMDBLog(path: self.directory)
        let client = try EtcdClient(endpoints: etcd.endpoints, requestTimeout: .seconds(1))
        let keys = EtcdKeys(cluster: cluster)
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .error
        let elector = EtcdElector(
            client: client, keys: keys, member: MemberInfo(name: name, apiURL: "http://127.0.0.1:1/\(name)"),
            options: .init(ttl: ttl), logger: logger)
        self.elector = elector
        self.log = EtcdLog(
            mirror: self.mirror, mirrorDirectory: self.directory, client: client, keys: keys, logger: logger,
            snapshotPartBytes: snapshotPartBytes, pipelineDepth: pipelineDepth, onFenceLost: { why in elector.stepDown(reason: why) })
    }

    /// Campaigns, then takes over the log for the won term.
    func lead() async throws -> UInt64 {
        let leadership = try await self.elector.campaign()
        try await self.log.takeOver(term: leadership.term, electionKey: self.elector.electionKey!)
        return leadership.term
    }

    func records() throws -> [LogRecord] {
        try self.mirror.records(from: 1, limit: Int.max)
    }
}

func entries(_ count: Int, tag: UInt16 = 0x0101, seed: Int) -> [LogEntry] {
    (0..<count).map { i in LogEntry(typeTag: tag, payload: Array("event \(seed)-\(i)".utf8), timestamp: Int64(seed * 1000 + i)) }
}
