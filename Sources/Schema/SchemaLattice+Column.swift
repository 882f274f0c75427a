/// The column lattice: a column is a tuple of (type, nullability, default, generated expression,
/// charset, collation, auto-increment, on-update), ordered part by part.
extension SchemaLattice {
    /// Compares two definitions of the same column.
    ///
    /// - Throws: ``SchemaIncompatibility`` naming the attribute that has no order, or that orders the
    ///   columns opposite to another attribute.
    public static func compareColumns(_ a: ColumnInfo, _ b: ColumnInfo) throws(SchemaIncompatibility) -> SchemaOrder {
        let subject = SchemaIncompatibility.Subject.column(a.name)
        var acc = OrderAccumulator()
        let parts = try self.columnParts(a, b)
        for (attribute, order) in parts {
            try acc.add(order, subject: subject, attribute: attribute)
        }
        return acc.order
    }

    /// The least column definition that accepts every value either definition accepts.
    ///
    /// Unlike ``compareColumns(_:_:)`` this succeeds when the parts disagree in direction
    /// (`INT NULL` ⊔ `BIGINT NOT NULL` = `BIGINT NULL`); it fails only on parts with no order at all.
    public static func joinColumns(_ a: ColumnInfo, _ b: ColumnInfo) throws(SchemaIncompatibility) -> ColumnInfo {
        let parts = try self.columnParts(a, b)
        var order: [String: SchemaOrder] = [:]
        for (attribute, o) in parts { order[attribute] = o }
        var joined = a
        joined.type = try self.joinTypes(a, b)
        joined.nullable = a.nullable || b.nullable
        joined.defaultValue = self.pick(order["default"] ?? .equal, a.defaultValue, b.defaultValue)
        joined.charset = self.pick(order["charset"] ?? .equal, a.charset, b.charset)
        joined.collation = self.pick(order["collation"] ?? .equal, a.collation, b.collation)
        joined.comment = self.maxOptional(a.comment, b.comment)
        return joined
    }

    /// Compares a column with its absence in the other table (`b == nil`): present is larger, but
    /// only if inserts that omit it still succeed (DM's `CompareWithNil`).
    public static func compareColumn(_ a: ColumnInfo?, _ b: ColumnInfo?) throws(SchemaIncompatibility) -> SchemaOrder {
        switch (a, b) {
        case (nil, nil): return .equal
        case (let a?, let b?): return try self.compareColumns(a, b)
        case (let a?, nil): return try self.presentOverMissing(a)
        case (nil, let b?): return try self.presentOverMissing(b).reversed
        }
    }

    private static func presentOverMissing(_ column: ColumnInfo) throws(SchemaIncompatibility) -> SchemaOrder {
        guard column.canBeOmitted else {
            throw SchemaIncompatibility(
                .missingColumnWithoutDefault, .column(column.name), attribute: "presence",
                "column `\(column.name)` is NOT NULL without a default, so the table lacking it cannot be ordered")
        }
        return .greater
    }

    // MARK: - Parts

    /// Each attribute's order, in a fixed order so the error names the first offending attribute.
    private static func columnParts(_ a: ColumnInfo, _ b: ColumnInfo) throws(SchemaIncompatibility)
        -> [(String, SchemaOrder)]
    {
        let subject = SchemaIncompatibility.Subject.column(a.name)
        var parts: [(String, SchemaOrder)] = []
        parts.append(("type", try self.compareTypes(a.type, b.type, subject: subject)))
        parts.append(("nullable", SchemaOrder.of(a.nullable ? 1 : 0, b.nullable ? 1 : 0)))
        parts.append(("default", try self.compareDefaults(a, b, subject: subject)))
        guard a.generated == b.generated else {
            throw SchemaIncompatibility(
                .generatedMismatch, subject, attribute: "generated",
                "generated as \(a.generated.map { "(\($0.expression))" } ?? "nothing") vs \(b.generated.map { "(\($0.expression))" } ?? "nothing")")
        }
        guard a.autoIncrement == b.autoIncrement else {
            throw SchemaIncompatibility(.attributeMismatch, subject, attribute: "auto_increment", "AUTO_INCREMENT differs")
        }
        guard a.onUpdate?.uppercased() == b.onUpdate?.uppercased() else {
            throw SchemaIncompatibility(
                .attributeMismatch, subject, attribute: "on update",
                "ON UPDATE \(a.onUpdate ?? "nothing") vs \(b.onUpdate ?? "nothing")")
        }
        parts.append(("charset", try self.compareCharsets(a.charset, b.charset, subject: subject)))
        parts.append(("collation", try self.compareCollations(a.collation, b.collation, subject: subject)))
        return parts
    }

    /// `DEFAULT NULL` is what a column without DEFAULT already has, and `'5'` on a numeric column is `5`.
    static func effectiveDefault(_ column: ColumnInfo) -> DefaultValue? {
        switch column.defaultValue {
        case nil, .null?: return nil
        case .string(let text)?:
            switch column.type.base.widening?.family {
            case .integer?: return .number(text)
            case .blob?, .text?, nil:
                return [.decimal, .float, .double].contains(column.type.base) ? .number(text) : .string(text)
            }
        case .number(let text)?: return .number(text)
        case .expression(let text)?: return .expression(text.uppercased())
        }
    }

    /// Defaults form a "maybe singleton": no default is the bottom, two different defaults conflict.
    private static func compareDefaults(_ a: ColumnInfo, _ b: ColumnInfo, subject: SchemaIncompatibility.Subject)
        throws(SchemaIncompatibility) -> SchemaOrder
    {
        let (x, y) = (self.effectiveDefault(a), self.effectiveDefault(b))
        guard let x, let y else { return self.compareMissing(x, y) }
        guard x == y else {
            throw SchemaIncompatibility(.defaultMismatch, subject, attribute: "default", "DEFAULT \(x) vs \(y)")
        }
        return .equal
    }
}
