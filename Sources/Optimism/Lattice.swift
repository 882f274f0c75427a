import Schema

/// The lock's only door to the schema lattice. Incompatibility is a normal outcome here (it is
/// what a conflict *is*), so the throwing API is folded into optionals.
enum Lattice {
    /// `nil` when the schemas are incomparable.
    static func compare(_ a: TableInfo, _ b: TableInfo) -> SchemaOrder? {
        if Self.identical(a, b) { return .equal }
        return try? SchemaLattice.compare(a, b)
    }

    /// Same structure apart from the table's own name: shards usually are, and the lattice is
    /// far slower than `==`.
    static func identical(_ a: TableInfo, _ b: TableInfo) -> Bool {
        a.columns == b.columns && a.indexes == b.indexes && a.charset == b.charset && a.collation == b.collation
    }

    /// Equality in the lattice: names, column order and comments do not count.
    static func equal(_ a: TableInfo, _ b: TableInfo) -> Bool {
        Self.compare(a, b) == .equal
    }

    /// `nil` when the schemas have no upper bound.
    static func join(_ a: TableInfo, _ b: TableInfo) -> TableInfo? {
        if Self.identical(a, b) { return a }
        return try? SchemaLattice.join(a, b)
    }

    /// Why `a` and `b` do not compare, for operation messages.
    static func incompatibility(_ a: TableInfo, _ b: TableInfo) -> String? {
        do {
            _ = try SchemaLattice.compare(a, b)
            return nil
        } catch {
            return error.description
        }
    }

    /// The join of all `schemas` in order; `nil` when empty or when some pair has no upper bound.
    static func joinAll(_ schemas: some Sequence<TableInfo>) -> TableInfo? {
        var iterator = schemas.makeIterator()
        guard var joined = iterator.next() else { return nil }
        while let next = iterator.next() {
            guard let j = Self.join(joined, next) else { return nil }
            joined = j
        }
        return joined
    }

    /// Whether the schemas have a common upper bound (an empty set trivially does).
    static func joinable(_ schemas: [TableInfo]) -> Bool {
        schemas.isEmpty || Self.joinAll(schemas) != nil
    }
}
