import BraidTestSupport
import Domain
import Schema
import MySQLClient
import Testing

@testable import Replication

/// A source that does not log full row images in ROW format stops the subtask with an error that
/// says what to change, before anything is read or written.
@Suite struct SourceSettingsTests {
    struct SilentCoordinator: ShardDDLCoordinator {
        func reportSourceTables(_ tables: [(upstream: TableName, target: TableName, info: TableInfo)]) async throws(ReplicationError) {}
        func coordinate(
            _ request: ShardDDLRequest, apply: @Sendable (ShardDDLVerdict) async throws(ReplicationError) -> Void
        ) async throws(ReplicationError) -> ShardDDLVerdict {
            throw ReplicationError(.shardDDL, "no shard DDL in this test")
        }
    }

    struct SilentReporter: SyncProgressReporter {
        func checkpoint(binlogName: String, binlogPos: UInt32, gtid: String?) async {}
        func progress(_ progress: SyncProgress) async {}
    }

    @Test func statementFormatIsRefusedWithTheFix() async throws {
        try await withMariaDBServer(.init(extraArguments: ["--binlog-format=STATEMENT"])) { upstream in
            try await withMariaDBServer(.init(serverID: 2)) { downstream in
                let database = DatabaseConfig(host: "127.0.0.1", port: UInt16(upstream.port), user: upstream.user, password: upstream.password)
                let target = DatabaseConfig(host: "127.0.0.1", port: UInt16(downstream.port), user: downstream.user, password: downstream.password)
                let task = TaskConfig(
                    name: TaskName("t"), taskMode: .incremental, targetDatabase: target,
                    mysqlInstances: [MySQLInstance(sourceID: SourceID("s1"))])
                let source = SourceConfig(sourceID: SourceID("s1"), from: database)
                let config = SyncerConfiguration(
                    task: task, source: source, epoch: 1,
                    upstream: SyncerConfiguration.options(database, downstream: false),
                    downstream: SyncerConfiguration.options(target, downstream: true),
                    reader: BinlogUpstreamReader(connection: SyncerConfiguration.options(database, downstream: false), serverID: 99),
                    coordinator: SilentCoordinator(), reporter: SilentReporter())
                do throws(ReplicationError) {
                    try await Syncer(config).run()
                    Issue.record("a STATEMENT-format source was accepted")
                } catch {
                    #expect(error.code == .configuration)
                    #expect(error.message.contains("binlog_format is STATEMENT, not ROW"), "\(error)")
                }
            }
        }
    }
}
