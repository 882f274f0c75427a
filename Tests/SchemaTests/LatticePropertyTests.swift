import BraidTestSupport
import Schema
import Testing

/// Seeded property tests of the lattice laws over small random tables. Replay with `BRAID_SEED`.
@Suite struct LatticePropertyTests {
    static func randomTable(_ random: inout SeededRandom) -> TableInfo {
        var columns = [ColumnInfo(name: "id", type: ColumnType(.int), nullable: false)]
        for name in ["a", "b", "c"] where random.next() % 3 != 0 {
            let isString = random.next() % 2 == 0
            let type = isString
                ? ColumnType(.varchar, length: [10, 20][Int(random.next() % 2)])
                : ColumnType([.int, .bigint][Int(random.next() % 2)])
            let nullable = random.next() % 2 == 0
            let defaults: [DefaultValue?] = isString ? [nil, .string("x"), .string("y")] : [nil, .number("0"), .number("1")]
            var value = defaults[Int(random.next() % 3)]
            if !nullable && value == nil && random.next() % 2 == 0 { value = defaults[1] }
            columns.append(ColumnInfo(name: name, type: type, nullable: nullable, defaultValue: value))
        }
        var indexes = [IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")])]
        for column in columns.dropFirst() where random.next() % 3 == 0 {
            indexes.append(IndexInfo(name: "idx", kind: random.next() % 2 == 0 ? .unique : .plain, columns: [IndexColumn(column.name)]))
            break
        }
        return TableInfo(schema: "s", table: "t", columns: columns, indexes: indexes)
    }

    @Test func latticeLaws() throws {
        var random = SeededRandom.fromEnvironment()
        let seed = random.seed
        var joins = 0
        for iteration in 0..<3_000 {
            let a = Self.randomTable(&random)
            let b = Self.randomTable(&random)
            let context = "seed \(seed) iteration \(iteration)"
            #expect(try SchemaLattice.compare(a, a) == .equal, "\(context)")
            let ab = try? SchemaLattice.compare(a, b)
            let ba = try? SchemaLattice.compare(b, a)
            #expect(ab == ba?.reversed, "\(context)")
            guard let joined = try? SchemaLattice.join(a, b) else { continue }
            joins += 1
            let reversedJoin = try SchemaLattice.join(b, a)
            #expect(try SchemaLattice.compare(joined, reversedJoin) == .equal, "\(context): join is commutative")
            #expect(try SchemaLattice.compare(joined, joined) == .equal, "\(context)")
            for side in [a, b] {
                let order = try SchemaLattice.compare(side, joined)
                #expect(order == .less || order == .equal, "\(context): join is an upper bound")
            }
            if ab == .less || ab == .equal {
                #expect(try SchemaLattice.compare(joined, b) == .equal, "\(context): a ≤ b ⇒ a ⊔ b = b")
            }
            #expect(try SchemaLattice.compare(try SchemaLattice.join(joined, a), joined) == .equal, "\(context): idempotent")
        }
        #expect(joins > 100, "seed \(seed): generator should produce joinable pairs")
    }
}
