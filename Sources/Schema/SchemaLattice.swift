/// The join-semilattice of table schemas that optimistic shard DDL coordination is built on
/// (DM's `schemacmp`, see dm-reference §2.2 "The lattice").
///
/// A table is "larger" when it accepts more rows: more (omittable) columns, wider types, NULL
/// instead of NOT NULL, fewer indexes. ``compare(_:_:)`` is the partial order; ``join(_:_:)`` the
/// least upper bound, i.e. the downstream schema that accepts every shard's rows.
///
/// What is outside the lattice: column order, comments, ENGINE and other table options, the
/// AUTO_INCREMENT counter. Two tables that differ only there compare `equal` although they are not
/// `==`; callers deciding "did the joined schema change?" must use `compare`, not `==`.
///
/// Names of columns and indexes match case-insensitively. A column without its own charset takes
/// its table's, so `VARCHAR(10)` in a utf8mb4 table equals `VARCHAR(10) CHARACTER SET utf8mb4`.
public enum SchemaLattice {
    /// Orders two tables.
    ///
    /// - Throws: ``SchemaIncompatibility`` when neither accepts all rows of the other.
    public static func compare(_ a: TableInfo, _ b: TableInfo) throws(SchemaIncompatibility) -> SchemaOrder {
        if self.sameStructure(a, b) { return .equal }  // the common case for shards: skip the walk
        var acc = OrderAccumulator()
        try acc.add(try self.compareCharsets(a.charset, b.charset, subject: .table), subject: .table, attribute: "charset")
        try acc.add(
            try self.compareCollations(a.collation, b.collation, subject: .table), subject: .table, attribute: "collation")
        let (aColumns, bColumns) = (self.byName(a.columns, \.name), self.byName(b.columns, \.name))
        for name in self.unionOfNames(a.columns.map(\.name), b.columns.map(\.name)) {
            let key = name.lowercased()
            let x = aColumns[key].map { self.resolved($0, in: a) }
            let y = bColumns[key].map { self.resolved($0, in: b) }
            try acc.add(try self.compareColumn(x, y), subject: .column(name), attribute: "definition")
        }
        let (aIndexes, bIndexes) = (self.byName(a.indexes, \.name), self.byName(b.indexes, \.name))
        for name in self.unionOfNames(a.indexes.map(\.name), b.indexes.map(\.name)) {
            let key = name.lowercased()
            try acc.add(try self.compareIndex(aIndexes[key], bIndexes[key]), subject: .index(name), attribute: "definition")
        }
        return acc.order
    }

    /// The least table that is at least as large as both: the union of columns (each column joined),
    /// the intersection of indexes. Same-named indexes with different definitions are left out rather
    /// than reported, as DM does (`ShouldDeleteIncompatibleJoin`).
    ///
    /// Columns come in `a`'s order followed by the columns only `b` has, in `b`'s order; schema and
    /// table name are `a`'s.
    ///
    /// - Throws: ``SchemaIncompatibility`` when a column or the charset has no upper bound.
    public static func join(_ a: TableInfo, _ b: TableInfo) throws(SchemaIncompatibility) -> TableInfo {
        var joined = a
        joined.charset = self.pick(try self.compareCharsets(a.charset, b.charset, subject: .table), a.charset, b.charset)
        joined.collation = self.pick(
            try self.compareCollations(a.collation, b.collation, subject: .table), a.collation, b.collation)
        joined.columns = []
        let (aColumns, bColumns) = (self.byName(a.columns, \.name), self.byName(b.columns, \.name))
        for name in self.unionOfNames(a.columns.map(\.name), b.columns.map(\.name)) {
            switch (aColumns[name.lowercased()], bColumns[name.lowercased()]) {
            case (let x?, let y?):
                joined.columns.append(try self.joinColumns(self.resolved(x, in: a), self.resolved(y, in: b)))
            case (let x?, nil):
                joined.columns.append(self.joinedWithMissing(self.resolved(x, in: a)))
            case (nil, let y?):
                joined.columns.append(self.joinedWithMissing(self.resolved(y, in: b)))
            case (nil, nil):
                break
            }
        }
        let bIndexes = self.byName(b.indexes, \.name)
        joined.indexes = a.indexes.filter { index in
            guard let other = bIndexes[index.name.lowercased()] else { return false }
            return self.sameIndexDefinition(index, other)
        }
        joined.options.engine = a.options.engine ?? b.options.engine
        joined.options.comment = self.maxOptional(a.options.comment, b.options.comment)
        joined.options.autoIncrement = self.maxOptional(a.options.autoIncrement, b.options.autoIncrement)
        joined.options.other = a.options.other.isEmpty ? b.options.other : a.options.other
        return joined
    }

    /// A column joined with its absence. A NOT NULL column without a default gets MySQL's implicit
    /// default for its type (0, '', the first ENUM member, the zero date), as DM does, so that rows
    /// from the table lacking the column still fit the joined schema. Types that cannot have a
    /// literal default (BLOB, TEXT, JSON, spatial) are kept as they are.
    static func joinedWithMissing(_ column: ColumnInfo) -> ColumnInfo {
        guard !column.canBeOmitted, let value = self.implicitDefault(for: column.type) else { return column }
        var copy = column
        copy.defaultValue = value
        return copy
    }

    /// MySQL's implicit default of a NOT NULL column ("Data Type Default Values").
    static func implicitDefault(for type: ColumnType) -> DefaultValue? {
        switch type.base {
        case .tinyint, .smallint, .mediumint, .int, .bigint, .decimal, .float, .double, .bit, .year:
            return .number("0")
        case .char, .varchar, .binary, .varbinary, .set:
            return .string("")
        case .enum:
            return type.elements.first.map { .string($0) }
        case .date:
            return .string("0000-00-00")
        case .datetime, .timestamp:
            return .string("0000-00-00 00:00:00")
        case .time:
            return .string("00:00:00")
        case .tinyblob, .blob, .mediumblob, .longblob, .tinytext, .text, .mediumtext, .longtext, .json, .geometry,
            .point, .linestring, .polygon, .multipoint, .multilinestring, .multipolygon, .geometrycollection:
            return nil
        }
    }

    // MARK: - Indexes

    /// An index constrains rows, so having it makes a table smaller; same-named indexes must agree.
    static func compareIndex(_ a: IndexInfo?, _ b: IndexInfo?) throws(SchemaIncompatibility) -> SchemaOrder {
        switch (a, b) {
        case (nil, nil): return .equal
        case (_?, nil): return .less
        case (nil, _?): return .greater
        case (let x?, let y?):
            guard self.sameIndexDefinition(x, y) else {
                throw SchemaIncompatibility(
                    .indexMismatch, .index(x.name), attribute: "definition",
                    "index `\(x.name)` is defined differently in the two tables")
            }
            return .equal
        }
    }

    /// Kind and key parts decide what an index enforces; its comment and algorithm do not.
    static func sameIndexDefinition(_ a: IndexInfo, _ b: IndexInfo) -> Bool {
        guard a.kind == b.kind, a.columns.count == b.columns.count else { return false }
        return zip(a.columns, b.columns).allSatisfy { x, y in
            x.name.lowercased() == y.name.lowercased() && x.prefixLength == y.prefixLength && x.descending == y.descending
        }
    }

    // MARK: - Helpers

    /// Equal columns, indexes and charsets: `equal` in the lattice whatever the names and options.
    static func sameStructure(_ a: TableInfo, _ b: TableInfo) -> Bool {
        a.columns == b.columns && a.indexes == b.indexes && a.charset == b.charset && a.collation == b.collation
    }

    /// Elements by lower-cased name; the first wins on a (malformed) duplicate, as `column(named:)` does.
    static func byName<T>(_ elements: [T], _ name: KeyPath<T, String>) -> [String: T] {
        var result: [String: T] = [:]
        result.reserveCapacity(elements.count)
        for element in elements where result[element[keyPath: name].lowercased()] == nil {
            result[element[keyPath: name].lowercased()] = element
        }
        return result
    }

    /// Gives a character column its table's charset and collation when it declares none.
    static func resolved(_ column: ColumnInfo, in table: TableInfo) -> ColumnInfo {
        guard column.type.isCharacterType, column.charset == nil else { return column }
        var copy = column
        copy.charset = table.charset
        copy.collation = column.collation ?? table.collation
        return copy
    }

    /// Names of both lists, case-insensitively unique, `a`'s first, each in its list's order.
    static func unionOfNames(_ a: [String], _ b: [String]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for name in a + b where seen.insert(name.lowercased()).inserted {
            result.append(name)
        }
        return result
    }

    static func maxOptional<T: Comparable>(_ a: T?, _ b: T?) -> T? {
        guard let a, let b else { return a ?? b }
        return max(a, b)
    }
}
