/// Canonical SQL for the pieces statements are made of. The output always re-parses to the same
/// value (`DDLParser.parse(render(x)) == x`), which the round-trip property test checks.
extension ColumnType {
    /// `DECIMAL(10,2) UNSIGNED ZEROFILL`, `ENUM('a','b')`, `VARCHAR(20)`.
    public var sql: String {
        var text = self.base.rawValue
        switch self.base {
        case .enum, .set:
            text += "(" + self.elements.map(SQLText.string).joined(separator: ",") + ")"
        case .tinyint, .smallint, .mediumint, .int, .bigint, .decimal, .float, .double, .bit, .date, .datetime,
            .timestamp, .time, .year, .char, .varchar, .binary, .varbinary, .tinyblob, .blob, .mediumblob, .longblob,
            .tinytext, .text, .mediumtext, .longtext, .json, .geometry, .point, .linestring, .polygon, .multipoint,
            .multilinestring, .multipolygon, .geometrycollection:
            if let length = self.length {
                text += self.scale.map { "(\(length),\($0))" } ?? "(\(length))"
            }
        }
        if self.unsigned && !self.zerofill { text += " UNSIGNED" }
        if self.zerofill { text += " UNSIGNED ZEROFILL" }
        return text
    }
}

extension DefaultValue {
    /// The SQL after `DEFAULT`.
    public var sql: String {
        switch self {
        case .null: return "NULL"
        case .string(let text): return SQLText.string(text)
        case .number(let text): return text
        case .expression(let text): return text
        }
    }
}

extension ColumnInfo {
    /// The column definition as in `CREATE TABLE` / `ADD COLUMN`, without inline keys.
    public var sql: String {
        var parts = [SQLText.identifier(self.name), self.type.sql]
        if let charset = self.charset { parts.append("CHARACTER SET \(SQLText.charsetName(charset))") }
        if let collation = self.collation { parts.append("COLLATE \(SQLText.charsetName(collation))") }
        if let generated = self.generated {
            parts.append("GENERATED ALWAYS AS (\(generated.expression)) \(generated.stored ? "STORED" : "VIRTUAL")")
        }
        if !self.nullable { parts.append("NOT NULL") }
        if let value = self.defaultValue { parts.append("DEFAULT \(value.sql)") }
        if let onUpdate = self.onUpdate { parts.append("ON UPDATE \(onUpdate)") }
        if self.autoIncrement { parts.append("AUTO_INCREMENT") }
        if let comment = self.comment { parts.append("COMMENT \(SQLText.string(comment))") }
        return parts.joined(separator: " ")
    }
}

extension IndexInfo {
    /// The index as a `CREATE TABLE` definition (`UNIQUE KEY `uk` (`a`,`b`(10)))`; an empty name is omitted.
    public var sql: String {
        var text = self.kind.rawValue
        if self.kind != .primary && !self.name.isEmpty { text += " " + SQLText.identifier(self.name) }
        let parts = self.columns.map { column in
            SQLText.identifier(column.name) + (column.prefixLength.map { "(\($0))" } ?? "")
                + (column.descending ? " DESC" : "")
        }
        text += " (" + parts.joined(separator: ",") + ")"
        if let algorithm = self.algorithm { text += " USING \(algorithm)" }
        if let comment = self.comment { text += " COMMENT \(SQLText.string(comment))" }
        return text
    }
}

extension TableOptions {
    /// `ENGINE=InnoDB AUTO_INCREMENT=5 COMMENT='x' ROW_FORMAT=DYNAMIC`, or "" when empty.
    var sql: String {
        var parts: [String] = []
        if let engine = self.engine { parts.append("ENGINE=\(SQLText.charsetName(engine, upper: false))") }
        if let value = self.autoIncrement { parts.append("AUTO_INCREMENT=\(value)") }
        if let comment = self.comment { parts.append("COMMENT=\(SQLText.string(comment))") }
        for option in self.other { parts.append("\(option.name)=\(option.value)") }
        return parts.joined(separator: " ")
    }
}

extension SQLText {
    /// A charset, collation or engine name: bare when it is a plain word, backquoted otherwise.
    static func charsetName(_ name: String, upper: Bool = false) -> String {
        let plain = !name.isEmpty && name.utf8.allSatisfy { Lexer.isWordByte($0) && $0 < 0x80 }
            && !(name.utf8.first.map(Lexer.isDigit) ?? false)
            && !Parser.reserved.contains(name.uppercased())
        return plain ? name : self.identifier(name)
    }
}
