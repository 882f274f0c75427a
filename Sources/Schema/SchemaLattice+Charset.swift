/// Character-set and collation orders.
///
/// `utf8` (alias `utf8mb3`) is a strict subset of `utf8mb4`, so a shard converting to utf8mb4 widens
/// the schema (DM_040 joins utf8 with utf8mb4). Any other difference is a conflict. A missing value
/// means "server default, unknown" and is the bottom: it joins with whatever the other side says.
extension SchemaLattice {
    static func normalizedCharset(_ name: String) -> String {
        let lower = name.lowercased()
        return lower == "utf8mb3" ? "utf8" : lower
    }

    static func normalizedCollation(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasPrefix("utf8mb3_") ? "utf8_" + lower.dropFirst("utf8mb3_".count) : lower
    }

    static func compareCharsets(_ a: String?, _ b: String?, subject: SchemaIncompatibility.Subject)
        throws(SchemaIncompatibility) -> SchemaOrder
    {
        guard let a, let b else { return self.compareMissing(a, b) }
        let (x, y) = (self.normalizedCharset(a), self.normalizedCharset(b))
        if x == y { return .equal }
        if x == "utf8" && y == "utf8mb4" { return .less }
        if x == "utf8mb4" && y == "utf8" { return .greater }
        throw SchemaIncompatibility(.charsetMismatch, subject, attribute: "charset", "character set \(a) vs \(b)")
    }

    static func compareCollations(_ a: String?, _ b: String?, subject: SchemaIncompatibility.Subject)
        throws(SchemaIncompatibility) -> SchemaOrder
    {
        guard let a, let b else { return self.compareMissing(a, b) }
        let (x, y) = (self.normalizedCollation(a), self.normalizedCollation(b))
        if x == y { return .equal }
        if x.hasPrefix("utf8_") && y == "utf8mb4_" + x.dropFirst("utf8_".count) { return .less }
        if y.hasPrefix("utf8_") && x == "utf8mb4_" + y.dropFirst("utf8_".count) { return .greater }
        throw SchemaIncompatibility(.charsetMismatch, subject, attribute: "collation", "collation \(a) vs \(b)")
    }

    /// The order of two optional values when at least one is missing: missing is the bottom.
    static func compareMissing<T>(_ a: T?, _ b: T?) -> SchemaOrder {
        switch (a == nil, b == nil) {
        case (true, true): return .equal
        case (true, false): return .less
        case (false, true): return .greater
        case (false, false): return .equal  // not reached: callers unwrap both first
        }
    }

    /// Picks the operand the order names as the larger; `equal` keeps the left one.
    static func pick<T>(_ order: SchemaOrder, _ a: T, _ b: T) -> T {
        switch order {
        case .less: return b
        case .equal, .greater: return a
        }
    }
}
