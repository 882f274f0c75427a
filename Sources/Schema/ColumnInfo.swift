public import BinaryCoding

/// One column of a table, as MySQL's `SHOW CREATE TABLE` would describe it.
///
/// Keys declared inline (`id INT PRIMARY KEY`) are not kept here: the parser turns them into
/// ``IndexInfo`` values, so a table has exactly one place where its keys live.
public struct ColumnInfo: Sendable, Hashable, Codable {
    public var name: String
    public var type: ColumnType
    /// `true` unless declared `NOT NULL` (or part of the primary key, which implies it).
    public var nullable: Bool
    public var defaultValue: DefaultValue?
    public var autoIncrement: Bool
    public var generated: GeneratedColumn?
    public var charset: String?
    public var collation: String?
    public var comment: String?
    /// The `ON UPDATE` expression, e.g. `CURRENT_TIMESTAMP(3)`.
    public var onUpdate: String?

    public init(
        name: String, type: ColumnType, nullable: Bool = true, defaultValue: DefaultValue? = nil,
        autoIncrement: Bool = false, generated: GeneratedColumn? = nil, charset: String? = nil,
        collation: String? = nil, comment: String? = nil, onUpdate: String? = nil
    ) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.defaultValue = defaultValue
        self.autoIncrement = autoIncrement
        self.generated = generated
        self.charset = charset
        self.collation = collation
        self.comment = comment
        self.onUpdate = onUpdate
    }

    /// Whether an INSERT that omits this column still succeeds: it has a default, may be NULL,
    /// is generated, or is filled by AUTO_INCREMENT. This is what lets a shard lack the column.
    public var canBeOmitted: Bool {
        self.defaultValue != nil || self.nullable || self.generated != nil || self.autoIncrement
    }

    /// MySQL compares column names case-insensitively.
    public func hasName(_ other: String) -> Bool {
        self.name.lowercased() == other.lowercased()
    }
}

/// A generated column's `AS (expression) [VIRTUAL | STORED]`.
public struct GeneratedColumn: Sendable, Hashable, Codable {
    /// The expression as canonical SQL text, without the surrounding parentheses.
    public var expression: String
    public var stored: Bool

    public init(expression: String, stored: Bool) {
        self.expression = expression
        self.stored = stored
    }
}

// MARK: - Binary coding

extension GeneratedColumn: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.expression)
        writer.writeBool(self.stored)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.expression = try reader.readString()
        self.stored = try reader.readBool()
    }
}

extension ColumnInfo: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.name)
        writer.write(self.type)
        writer.writeBool(self.nullable)
        writer.writeOptional(self.defaultValue)
        writer.writeBool(self.autoIncrement)
        writer.writeOptional(self.generated)
        writer.writeOptional(self.charset)
        writer.writeOptional(self.collation)
        writer.writeOptional(self.comment)
        writer.writeOptional(self.onUpdate)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.name = try reader.readString()
        self.type = try reader.read()
        self.nullable = try reader.readBool()
        self.defaultValue = try reader.readOptional()
        self.autoIncrement = try reader.readBool()
        self.generated = try reader.readOptional()
        self.charset = try reader.readOptional()
        self.collation = try reader.readOptional()
        self.comment = try reader.readOptional()
        self.onUpdate = try reader.readOptional()
    }
}
