import BraidTestSupport
import Domain
import MySQLClient
import Schema
import Testing

@testable import Replication

/// The checkpoint row carries the binding epoch; a writer of an older binding can never commit
/// once a newer binding has claimed the subtask (tiflow#3737), and rows + points are atomic.
@Suite struct CheckpointFencingTests {
    static let info = TableInfo(
        schema: "db", table: "t",
        columns: [ColumnInfo(name: "id", type: ColumnType(.int), nullable: false), ColumnInfo(name: "v", type: ColumnType(.int))],
        indexes: [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])])

    @Test func aStaleEpochAbortsTheWholeTransaction() async throws {
        try await withMariaDBServer { server in
            let admin = try await server.connect()
            try await admin.execute("CREATE DATABASE down")
            try await admin.execute("CREATE TABLE down.t (id INT PRIMARY KEY, v INT)")
            let options = server.connectOptions()
            let old = CheckpointTable(metaSchema: "dm_meta", task: "task", source: "s1", epoch: 1)
            let loaded = try await admin.withSession { (s) throws(MySQLError) -> Result<CheckpointTable.Loaded, ReplicationError> in
                do throws(ReplicationError) { return .success(try old.claimAndLoad(s, writerCount: 2)) } catch { return .failure(error) }
            }.get()
            #expect(loaded.resume == nil)
            let shape = TableShape(Self.info)
            let target = TableName("down", "t")
            let position = BinlogPosition(file: "mysql-bin.000001", pos: 1000)
            let writers = try await WriterPool.connect(options, count: 2, checkpoint: old, safeMode: false, rowsPerStatement: 100)
            try await writers.commit(
                [WriterPool.Unit(changes: [.insert([.int(1), .int(10)], into: target, shape: shape)], points: [target: position]), nil],
                safeMode: false)
            #expect(try await admin.query("SELECT COUNT(*) FROM down.t").rows.first?.string(0) == "1")

            // A newer binding claims the subtask: the old writers' next transaction must fail, writing nothing.
            let new = CheckpointTable(metaSchema: "dm_meta", task: "task", source: "s1", epoch: 2)
            let reloaded = try await admin.withSession { (s) throws(MySQLError) -> Result<CheckpointTable.Loaded, ReplicationError> in
                do throws(ReplicationError) { return .success(try new.claimAndLoad(s, writerCount: 2)) } catch { return .failure(error) }
            }.get()
            #expect(reloaded.points.isApplied(target, writer: 0, at: position), "the committed point is read back")
            do {
                try await writers.commit(
                    [WriterPool.Unit(changes: [.insert([.int(2), .int(20)], into: target, shape: shape)], points: [target: BinlogPosition(file: "mysql-bin.000001", pos: 2000)]), nil],
                    safeMode: false)
                Issue.record("a stale writer committed")
            } catch let error as ReplicationError {
                #expect(error.code == .fenced)
            }
            #expect(try await admin.query("SELECT COUNT(*) FROM down.t").rows.first?.string(0) == "1")
            // And the old binding cannot claim it back.
            let reclaim = try await admin.withSession { (s) throws(MySQLError) -> Result<CheckpointTable.Loaded, ReplicationError> in
                do throws(ReplicationError) { return .success(try old.claimAndLoad(s, writerCount: 2)) } catch { return .failure(error) }
            }
            guard case .failure(let error) = reclaim else {
                Issue.record("the old epoch reclaimed the subtask")
                return
            }
            #expect(error.code == .fenced)
            await writers.close()
            await admin.close()
        }
    }
}
