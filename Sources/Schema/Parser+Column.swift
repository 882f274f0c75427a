/// Column definitions: `name type [attributes...]`.
extension Parser {
    /// A column definition. Inline keys (`PRIMARY KEY`, `UNIQUE`) come back as indexes on the column;
    /// an inline primary key also makes the column NOT NULL, as MySQL does.
    mutating func columnDefinition() throws(DDLParseError) -> (ColumnInfo, [IndexInfo]) {
        let name = try self.identifier("column definition")
        var column = ColumnInfo(name: name, type: try self.columnType())
        var indexes: [IndexInfo] = []
        var sawNullability = false
        while true {
            let token = self.current
            if token.kind == .end || token.isPunct(",") || token.isPunct(")") || token.isPunct(";")
                || token.isWord("FIRST") || token.isWord("AFTER") || self.atAlterPartitioning
            {
                break
            }
            guard token.kind == .word else {
                throw self.syntax("column definition", "unexpected \(self.describeCurrent()) in column `\(name)`")
            }
            switch token.upper {
            case "NOT":
                self.advance()
                try self.expect("NULL", in: "column definition")
                guard !sawNullability || !column.nullable else {
                    throw self.syntax("column definition", "conflicting NULL and NOT NULL", at: token)
                }
                column.nullable = false
                sawNullability = true
            case "NULL":
                self.advance()
                guard !sawNullability || column.nullable else {
                    throw self.syntax("column definition", "conflicting NULL and NOT NULL", at: token)
                }
                sawNullability = true
            case "DEFAULT":
                self.advance()
                column.defaultValue = try self.defaultValue()
            case "AUTO_INCREMENT":
                self.advance()
                column.autoIncrement = true
            case "PRIMARY", "KEY":
                self.advance()
                if token.upper == "PRIMARY" { try self.expect("KEY", in: "column definition") }
                column.nullable = false
                sawNullability = true
                indexes.append(IndexInfo(name: IndexInfo.primaryName, kind: .primary, columns: [IndexColumn(name)]))
            case "UNIQUE":
                self.advance()
                _ = self.accept("KEY")
                indexes.append(IndexInfo(name: "", kind: .unique, columns: [IndexColumn(name)]))
            case "COMMENT":
                self.advance()
                column.comment = try self.string("COMMENT")
            case "CHARACTER", "CHARSET":
                self.advance()
                if token.upper == "CHARACTER" { try self.expect("SET", in: "column definition") }
                column.charset = try self.charsetName("CHARACTER SET")
            case "COLLATE":
                self.advance()
                column.collation = try self.charsetName("COLLATE")
            case "ON":
                self.advance()
                try self.expect("UPDATE", in: "ON UPDATE")
                guard let now = try self.currentTimestamp() else {
                    throw self.syntax("ON UPDATE", "expected CURRENT_TIMESTAMP, found \(self.describeCurrent())")
                }
                column.onUpdate = now
            case "GENERATED", "AS":
                self.advance()
                if token.upper == "GENERATED" {
                    try self.expect("ALWAYS", in: "generated column")
                    try self.expect("AS", in: "generated column")
                }
                let expression = try self.parenthesizedExpression("generated column")
                let stored = self.accept("STORED") || self.accept("PERSISTENT")
                if !stored { _ = self.accept("VIRTUAL") }
                column.generated = GeneratedColumn(expression: expression, stored: stored)
            case "REFERENCES":
                throw self.unsupported("REFERENCES (foreign key)")
            case "CHECK", "CONSTRAINT":
                throw self.unsupported("CHECK constraint")
            case "COLUMN_FORMAT", "STORAGE", "SRID", "INVISIBLE", "VISIBLE", "SERIAL", "BINARY", "ASCII", "UNICODE":
                throw self.unsupported("column attribute \(token.upper)")
            default:
                throw self.syntax("column definition", "unexpected \(self.describeCurrent()) in column `\(name)`")
            }
        }
        return (column, indexes)
    }

    /// Folds synonyms into one ``BaseType``; the Bool says whether a length may follow.
    private static let typeNames: [String: BaseType] = [
        "TINYINT": .tinyint, "INT1": .tinyint, "SMALLINT": .smallint, "INT2": .smallint, "MEDIUMINT": .mediumint,
        "MIDDLEINT": .mediumint, "INT3": .mediumint, "INT": .int, "INTEGER": .int, "INT4": .int, "BIGINT": .bigint,
        "INT8": .bigint, "DECIMAL": .decimal, "DEC": .decimal, "NUMERIC": .decimal, "FIXED": .decimal,
        "FLOAT": .float, "DOUBLE": .double, "REAL": .double, "BIT": .bit, "DATE": .date, "DATETIME": .datetime,
        "TIMESTAMP": .timestamp, "TIME": .time, "YEAR": .year, "CHAR": .char, "CHARACTER": .char,
        "VARCHAR": .varchar, "BINARY": .binary, "VARBINARY": .varbinary, "TINYBLOB": .tinyblob, "BLOB": .blob,
        "MEDIUMBLOB": .mediumblob, "LONGBLOB": .longblob, "TINYTEXT": .tinytext, "TEXT": .text,
        "MEDIUMTEXT": .mediumtext, "LONGTEXT": .longtext, "ENUM": .enum, "SET": .set, "JSON": .json,
        "GEOMETRY": .geometry, "POINT": .point, "LINESTRING": .linestring, "POLYGON": .polygon,
        "MULTIPOINT": .multipoint, "MULTILINESTRING": .multilinestring, "MULTIPOLYGON": .multipolygon,
        "GEOMETRYCOLLECTION": .geometrycollection, "BOOL": .tinyint, "BOOLEAN": .tinyint,
    ]

    /// Valid MySQL/MariaDB types Braid does not model (they would need charset or storage rules of their own).
    private static let unsupportedTypeNames: Set<String> = [
        "NATIONAL", "NCHAR", "NVARCHAR", "LONG", "SERIAL", "VECTOR", "INET4", "INET6", "UUID", "XMLTYPE",
    ]

    mutating func columnType() throws(DDLParseError) -> ColumnType {
        let token = self.current
        guard token.kind == .word, var base = Parser.typeNames[token.upper] else {
            if token.kind == .word, Parser.unsupportedTypeNames.contains(token.upper) {
                throw self.unsupported("column type \(token.upper)")
            }
            throw self.syntax("column type", "expected a column type, found \(self.describeCurrent())")
        }
        self.advance()
        var type = ColumnType(base)
        if token.upper == "BOOL" || token.upper == "BOOLEAN" {
            type.length = 1
            return type
        }
        if base == .double { _ = self.accept("PRECISION") }
        if base == .char, self.accept("VARYING") { base = .varchar }
        type.base = base
        switch base {
        case .enum, .set:
            try self.expectPunct("(", in: "\(base.rawValue) members")
            repeat { type.elements.append(try self.string("\(base.rawValue) members")) } while self.acceptPunct(",")
            try self.expectPunct(")", in: "\(base.rawValue) members")
        case .decimal, .float, .double:
            if self.acceptPunct("(") {
                type.length = try self.integer("column type")
                if self.acceptPunct(",") { type.scale = try self.integer("column type") }
                try self.expectPunct(")", in: "column type")
            }
        case .tinyint, .smallint, .mediumint, .int, .bigint, .bit, .time, .datetime, .timestamp, .year, .char, .binary,
            .blob, .text, .varchar, .varbinary:
            if self.acceptPunct("(") {
                type.length = try self.integer("column type")
                try self.expectPunct(")", in: "column type")
            } else if base == .varchar || base == .varbinary {
                throw self.syntax("column type", "\(base.rawValue) needs a length")
            }
        case .date, .tinyblob, .mediumblob, .longblob, .tinytext, .mediumtext, .longtext, .json, .geometry, .point,
            .linestring, .polygon, .multipoint, .multilinestring, .multipolygon, .geometrycollection:
            break
        }
        if base.widening?.family == .integer || [.decimal, .float, .double].contains(base) {
            while true {
                if self.accept("UNSIGNED") {
                    type.unsigned = true
                } else if self.accept("SIGNED") {
                    continue
                } else if self.accept("ZEROFILL") {
                    type.zerofill = true
                    type.unsigned = true  // MySQL: ZEROFILL implies UNSIGNED
                } else {
                    break
                }
            }
        }
        return type
    }
}
