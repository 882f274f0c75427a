import BraidTestSupport
import Domain
import MySQLClient
import Testing

@testable import Replication

/// A transaction whose changes conflict across writers (a unique value handed from one row to
/// another) must not be committed half in one round and half in the next: each writer's point says
/// its share of the whole transaction is downstream, so a crash between the two rounds would make
/// the restart skip the second half.
@Suite struct TransactionAtomicityTests {
    /// Fault injection (a mock on purpose: a real crash cannot be timed between two rounds): the
    /// stream fails right after the first transaction with rows, before the engine sees anything
    /// else, which is what a SIGKILL at that moment leaves behind.
    struct CrashAfterFirstRowsReader: UpstreamReader {
        let inner: any UpstreamReader
        func open(at position: Domain.BinlogPosition, gtid: String?) async throws(ReplicationError) -> any UpstreamEventStream {
            CrashingStream(inner: try await self.inner.open(at: position, gtid: gtid))
        }
    }

    final class CrashingStream: UpstreamEventStream, @unchecked Sendable {
        let inner: any UpstreamEventStream
        var delivered = false
        init(inner: any UpstreamEventStream) { self.inner = inner }
        func next() async throws(ReplicationError) -> UpstreamEvent? {
            if self.delivered { throw ReplicationError(.upstream, "injected crash") }
            let event = try await self.inner.next()
            if case .transaction(let transaction)? = event, !transaction.rows.isEmpty { self.delivered = true }
            return event
        }
        func close() async { await self.inner.close() }
    }

    @Test func aTransactionConflictingWithItselfSurvivesACrashRightAfterIt() async throws {
        try await withMariaDBServer(.init()) { upstream in
            try await withMariaDBServer(.init(serverID: 2)) { downstream in
                let up = try await upstream.connect()
                try await up.execute("CREATE DATABASE d")
                try await up.execute("CREATE TABLE d.t (id INT PRIMARY KEY, u INT NOT NULL UNIQUE)")
                let database = DatabaseConfig(host: "127.0.0.1", port: UInt16(upstream.port), user: upstream.user, password: upstream.password)
                let target = DatabaseConfig(host: "127.0.0.1", port: UInt16(downstream.port), user: downstream.user, password: downstream.password)
                var task = TaskConfig(
                    name: TaskName("t"), taskMode: .incremental, targetDatabase: target,
                    mysqlInstances: [MySQLInstance(sourceID: SourceID("s1"))])
                task.syncers = ["global": SyncerConfig(workerCount: 8, batch: 100)]
                task.mysqlInstances[0].syncerConfigName = "global"
                let source = SourceConfig(sourceID: SourceID("s1"), from: database)
                let binlog = BinlogUpstreamReader(connection: SyncerConfiguration.options(database, downstream: false), serverID: 99, mode: .untilEnd)
                func syncer(_ reader: any UpstreamReader) throws(ReplicationError) -> Syncer {
                    try Syncer(SyncerConfiguration(
                        task: task, source: source, epoch: 1,
                        upstream: SyncerConfiguration.options(database, downstream: false),
                        downstream: SyncerConfiguration.options(target, downstream: true),
                        reader: reader, coordinator: SourceSettingsTests.SilentCoordinator(),
                        reporter: SourceSettingsTests.SilentReporter()))
                }
                // First run: the target exists and the checkpoint starts here.
                try await syncer(binlog).run()

                // One transaction: rows 1...60 take u = 1...60, go, and rows 101...160 take the same u values.
                // The unique values move between rows whose keys hash to different writers.
                let values = (1...60).map { "(\($0), \($0))" }.joined(separator: ",")
                let moved = (1...60).map { "(\($0 + 100), \($0))" }.joined(separator: ",")
                try await up.execute("BEGIN")
                try await up.execute("INSERT INTO d.t VALUES \(values)")
                try await up.execute("DELETE FROM d.t WHERE id <= 60")
                try await up.execute("INSERT INTO d.t VALUES \(moved)")
                try await up.execute("COMMIT")
                try await up.execute("INSERT INTO d.t VALUES (1000, 1000)")

                do throws(ReplicationError) {
                    try await syncer(CrashAfterFirstRowsReader(inner: binlog)).run()
                    Issue.record("the injected crash did not happen")
                } catch {
                    #expect(error.message == "injected crash", "\(error)")
                }
                // The restart resumes from the checkpoint.
                try await syncer(binlog).run()

                let down = try await downstream.connect()
                let rows = try await down.query("SELECT id, u FROM d.t ORDER BY id").rows.map { "\($0.string(0) ?? "")/\($0.string(1) ?? "")" }
                let expected = (101...160).map { "\($0)/\($0 - 100)" } + ["1000/1000"]
                #expect(rows == expected, "downstream has \(rows.count) rows, first differences: \(zip(rows, expected).filter { $0 != $1 }.prefix(3))")
                await up.close()
                await down.close()
            }
        }
    }
}
