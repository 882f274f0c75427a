/// The type lattice: integers widen by storage size, blobs and texts by capacity, lengths by value;
/// everything else (signedness, zerofill, DECIMAL precision and scale, float scale) must be equal.
/// ENUM and SET members may only be appended.
extension SchemaLattice {
    static func compareTypes(_ a: ColumnType, _ b: ColumnType, subject: SchemaIncompatibility.Subject)
        throws(SchemaIncompatibility) -> SchemaOrder
    {
        var acc = OrderAccumulator()
        try acc.add(try self.compareBases(a, b, subject: subject), subject: subject, attribute: "type")
        guard a.unsigned == b.unsigned else {
            throw SchemaIncompatibility(.attributeMismatch, subject, attribute: "unsigned", "signedness differs")
        }
        guard a.zerofill == b.zerofill else {
            throw SchemaIncompatibility(.attributeMismatch, subject, attribute: "zerofill", "ZEROFILL differs")
        }
        if a.base == .decimal || b.base == .decimal || a.effectiveScale != nil || b.effectiveScale != nil {
            // DECIMAL(p,s) changes how every value is stored; no precision is "wider" than another.
            guard a.effectiveLength == b.effectiveLength && a.effectiveScale == b.effectiveScale else {
                throw SchemaIncompatibility(
                    .attributeMismatch, subject, attribute: "precision",
                    "\(self.describe(a)) vs \(self.describe(b)) have different precision or scale")
            }
        } else if a.base.widening?.family != .integer {
            // Integer display widths are cosmetic; every other length is a capacity.
            let length = try self.compareLengths(a, b, subject: subject)
            try acc.add(length, subject: subject, attribute: "length")
        }
        try acc.add(try self.compareElements(a, b, subject: subject), subject: subject, attribute: "elements")
        return acc.order
    }

    static func joinTypes(_ a: ColumnInfo, _ b: ColumnInfo) throws(SchemaIncompatibility) -> ColumnType {
        let subject = SchemaIncompatibility.Subject.column(a.name)
        let (x, y) = (a.type, b.type)
        _ = try self.compareTypes(x, y, subject: subject)  // rejects the parts that have no order
        var joined = x
        let base = try self.compareBases(x, y, subject: subject)
        joined.base = self.pick(base, x.base, y.base)
        if x.base.widening?.family == .integer {
            joined.length = base == .equal ? self.maxLength(x.length, y.length) : self.pick(base, x.length, y.length)
        } else {
            joined.length = self.maxLength(x.length, y.length)
        }
        joined.elements = x.elements.count >= y.elements.count ? x.elements : y.elements
        return joined
    }

    private static func compareBases(_ a: ColumnType, _ b: ColumnType, subject: SchemaIncompatibility.Subject)
        throws(SchemaIncompatibility) -> SchemaOrder
    {
        if a.base == b.base { return .equal }
        if let x = a.base.widening, let y = b.base.widening, x.family == y.family {
            return SchemaOrder.of(x.rank, y.rank)
        }
        throw SchemaIncompatibility(.typeMismatch, subject, attribute: "type", "\(self.describe(a)) vs \(self.describe(b))")
    }

    private static func compareLengths(_ a: ColumnType, _ b: ColumnType, subject: SchemaIncompatibility.Subject)
        throws(SchemaIncompatibility) -> SchemaOrder
    {
        switch (a.effectiveLength, b.effectiveLength) {
        case (nil, nil): return .equal
        case (let x?, let y?): return SchemaOrder.of(x, y)
        case (nil, _?), (_?, nil):
            throw SchemaIncompatibility(
                .attributeMismatch, subject, attribute: "length", "\(self.describe(a)) vs \(self.describe(b))")
        }
    }

    private static func compareElements(_ a: ColumnType, _ b: ColumnType, subject: SchemaIncompatibility.Subject)
        throws(SchemaIncompatibility) -> SchemaOrder
    {
        let (x, y) = (a.elements, b.elements)
        if x == y { return .equal }
        if x.count < y.count && Array(y.prefix(x.count)) == x { return .less }
        if y.count < x.count && Array(x.prefix(y.count)) == y { return .greater }
        throw SchemaIncompatibility(
            .elementsMismatch, subject, attribute: "elements",
            "members \(x) and \(y): one must be the other with members appended")
    }

    private static func maxLength(_ a: Int?, _ b: Int?) -> Int? {
        guard let a, let b else { return a ?? b }
        return max(a, b)
    }

    static func describe(_ type: ColumnType) -> String {
        var text = type.base.rawValue
        if let length = type.length {
            text += type.scale.map { "(\(length),\($0))" } ?? "(\(length))"
        }
        if type.unsigned { text += " UNSIGNED" }
        return text
    }
}
