import Domain
public import MySQLClient

/// The downstream writers of one subtask: `worker-count` connections, each committing its share of a
/// round in one transaction together with its checkpoint points.
///
/// Rounds are strictly sequential (a round starts after the previous one committed on every writer),
/// so ordering across writers only needs care inside a round, which `Causality` provides.
public final class WriterPool: Sendable {
    public struct Unit: Sendable {
        var changes: [RowChange]
        /// (table, end position) for each upstream table the unit's changes came from.
        var points: [TableName: BinlogPosition]
        /// The points hold for every writer slot, not only this writer's: a transaction that had to
        /// run whole on one writer (see `Syncer.place`) in a round of its own.
        var allSlots = false
    }

    private let connections: [MySQLConnection]
    private let checkpoint: CheckpointTable
    private let builder: DMLBuilder

    public var count: Int { self.connections.count }

    init(connections: [MySQLConnection], checkpoint: CheckpointTable, builder: DMLBuilder) {
        self.connections = connections
        self.checkpoint = checkpoint
        self.builder = builder
    }

    public static func connect(
        _ options: MySQLConnectOptions, count: Int, checkpoint: CheckpointTable, safeMode: Bool, rowsPerStatement: Int
    ) async throws(ReplicationError) -> WriterPool {
        var connections: [MySQLConnection] = []
        for _ in 0..<max(1, count) {
            do {
                connections.append(try await MySQLConnection.connect(options))
            } catch {
                for connection in connections { await connection.close() }
                throw ReplicationError(.downstream, "cannot connect a downstream writer: \(error)")
            }
        }
        return WriterPool(
            connections: connections, checkpoint: checkpoint,
            builder: DMLBuilder(safeMode: safeMode, maxRowsPerStatement: rowsPerStatement))
    }

    public func close() async {
        for connection in self.connections { await connection.close() }
    }

    /// Commits one round: writer `i` commits `units[i]` (if any) in one transaction, all writers in parallel.
    func commit(_ units: [Unit?], safeMode: Bool) async throws(ReplicationError) {
        let builder = DMLBuilder(safeMode: safeMode || self.builder.safeMode, maxRowsPerStatement: self.builder.maxRowsPerStatement)
        let checkpoint = self.checkpoint
        let result: ReplicationError? = await withTaskGroup(of: ReplicationError?.self) { group in
            for (writer, unit) in units.enumerated() {
                guard let unit, !unit.changes.isEmpty || !unit.points.isEmpty else { continue }
                let connection = self.connections[writer]
                group.addTask {
                    do throws(ReplicationError) {
                        try await Self.commit(unit, writer: writer, writerCount: units.count, on: connection, builder: builder, checkpoint: checkpoint)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var first: ReplicationError?
            for await failure in group where first == nil { first = failure }
            return first
        }
        if let result { throw result }
    }

    private static func commit(
        _ unit: Unit, writer: Int, writerCount: Int, on connection: MySQLConnection, builder: DMLBuilder,
        checkpoint: CheckpointTable
    ) async throws(ReplicationError) {
        let statements: [String]
        do {
            statements = try builder.statements(for: unit.changes)
        } catch {
            throw ReplicationError(.downstream, "writer \(writer): \(error)")
        }
        let slots = unit.allSlots ? Array(0..<writerCount) : [writer]
        let points = checkpoint.pointsStatement(
            unit.points.flatMap { point in slots.map { (table: point.key, slot: $0, position: point.value) } })
        // Rows and the points that cover them commit together, or not at all.
        try await checkpoint.runFenced(on: connection, statements + (points.map { [$0] } ?? []), what: "writer \(writer)")
    }
}
