/// A parsed DDL statement: the subset of MySQL DDL that shard coordination needs to understand.
public enum DDLStatement: Sendable, Hashable, Codable {
    case createTable(CreateTable)
    case alterTable(AlterTable)
    case dropTable(DropTable)
    case truncateTable(QualifiedName)
    case renameTable([TableRename])
    case createDatabase(CreateDatabase)
    case dropDatabase(DropDatabase)
}

/// `schema.table`, or just `table` when the statement relies on the current database.
public struct QualifiedName: Sendable, Hashable, Codable, CustomStringConvertible {
    public var schema: String?
    public var name: String

    public init(schema: String? = nil, _ name: String) {
        self.schema = schema
        self.name = name
    }

    public var description: String { self.schema.map { "`\($0)`.`\(self.name)`" } ?? "`\(self.name)`" }
}

public struct CreateTable: Sendable, Hashable, Codable {
    public var table: QualifiedName
    public var ifNotExists: Bool
    public var columns: [ColumnInfo]
    /// Table-level and inline keys; an index whose name is empty was declared without one.
    public var indexes: [IndexInfo]
    public var charset: String?
    public var collation: String?
    public var options: TableOptions
    /// `PARTITION BY ...` after the options, as canonical text (see ``PartitionClause``).
    public var partition: PartitionClause?

    public init(
        table: QualifiedName, ifNotExists: Bool = false, columns: [ColumnInfo], indexes: [IndexInfo] = [],
        charset: String? = nil, collation: String? = nil, options: TableOptions = TableOptions(),
        partition: PartitionClause? = nil
    ) {
        self.partition = partition
        self.table = table
        self.ifNotExists = ifNotExists
        self.columns = columns
        self.indexes = indexes
        self.charset = charset
        self.collation = collation
        self.options = options
    }
}

public struct AlterTable: Sendable, Hashable, Codable {
    public var table: QualifiedName
    public var specs: [AlterSpec]

    public init(table: QualifiedName, specs: [AlterSpec]) {
        self.table = table
        self.specs = specs
    }
}

/// Where an added or modified column goes.
public enum ColumnPosition: Sendable, Hashable, Codable {
    /// Appended for ADD, kept in place for MODIFY/CHANGE.
    case unspecified
    case first
    case after(String)
}

/// One clause of an `ALTER TABLE`.
///
/// A column declared with an inline key (`ADD COLUMN c INT UNIQUE`) is parsed as two specs,
/// `addColumn` then `addIndex`, which is what MySQL does with it.
public enum AlterSpec: Sendable, Hashable, Codable {
    case addColumn(ColumnInfo, ColumnPosition)
    case dropColumn(String)
    case modifyColumn(ColumnInfo, ColumnPosition)
    case changeColumn(old: String, ColumnInfo, ColumnPosition)
    case renameColumn(old: String, new: String)
    case setDefault(column: String, DefaultValue)
    case dropDefault(column: String)
    /// An index with an empty name gets MySQL's generated name when applied.
    case addIndex(IndexInfo)
    case dropIndex(String)
    case dropPrimaryKey
    case renameIndex(old: String, new: String)
    /// `[DEFAULT] CHARACTER SET x [COLLATE y]` or `[DEFAULT] COLLATE y`: new default for future columns.
    case defaultCharset(charset: String?, collation: String?)
    /// `CONVERT TO CHARACTER SET x [COLLATE y]`: converts every character column too.
    case convertTo(charset: String, collation: String?)
    /// `ENGINE=`, `COMMENT=`, `AUTO_INCREMENT=` and other table options.
    case tableOptions(TableOptions)
    /// `PARTITION BY`, `REMOVE PARTITIONING` or a partition operation (`ADD PARTITION`, ...): always
    /// the last clause, written after the others without a comma; it changes no column or index.
    case partition(PartitionClause)
}

public struct DropTable: Sendable, Hashable, Codable {
    public var tables: [QualifiedName]
    public var ifExists: Bool

    public init(tables: [QualifiedName], ifExists: Bool = false) {
        self.tables = tables
        self.ifExists = ifExists
    }
}

public struct TableRename: Sendable, Hashable, Codable {
    public var from: QualifiedName
    public var to: QualifiedName

    public init(from: QualifiedName, to: QualifiedName) {
        self.from = from
        self.to = to
    }
}

public struct CreateDatabase: Sendable, Hashable, Codable {
    public var name: String
    public var ifNotExists: Bool
    public var charset: String?
    public var collation: String?

    public init(name: String, ifNotExists: Bool = false, charset: String? = nil, collation: String? = nil) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.charset = charset
        self.collation = collation
    }
}

public struct DropDatabase: Sendable, Hashable, Codable {
    public var name: String
    public var ifExists: Bool

    public init(name: String, ifExists: Bool = false) {
        self.name = name
        self.ifExists = ifExists
    }
}
