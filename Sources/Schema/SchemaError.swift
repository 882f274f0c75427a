/// Why a DDL statement cannot be applied to a ``TableInfo`` (what MySQL would reject with
/// 1054 unknown column, 1060 duplicate column, 1091 can't drop, ...).
public struct SchemaError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        case unknownColumn
        case duplicateColumn
        case unknownIndex
        case duplicateIndex
        case multiplePrimaryKeys
        case missingPrimaryKey
        /// A table must keep at least one column (MySQL 1090).
        case droppingLastColumn
        /// The statement does not describe a change to one table (DROP TABLE, CREATE DATABASE, a
        /// RENAME of some other table).
        case notApplicable
    }

    public var code: Code
    /// The column, index or table the error is about.
    public var name: String
    public var message: String

    public init(_ code: Code, name: String, _ message: String) {
        self.code = code
        self.name = name
        self.message = message
    }

    public var description: String { "\(self.code) `\(self.name)`: \(self.message)" }
}
