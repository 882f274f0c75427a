/// Why two schemas cannot be compared or joined: the optimistic shard-DDL conflict.
///
/// It names the column, index or table attribute at fault so an operator can tell which DDL to skip
/// or redo (DM's messages only say "incompatible").
public struct SchemaIncompatibility: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// Base types outside one widening family (`INT` vs `VARCHAR`).
        case typeMismatch
        /// A type attribute that must be equal differs: signedness, zerofill, DECIMAL precision/scale,
        /// FLOAT scale, a length that has no order, AUTO_INCREMENT, ON UPDATE.
        case attributeMismatch
        /// Different non-null defaults (DM_037, DM_058).
        case defaultMismatch
        /// Different generated-column expressions or storage (DM_043).
        case generatedMismatch
        /// ENUM/SET members that are not one an append-only extension of the other.
        case elementsMismatch
        /// Character sets or collations with no order between them (`latin1` vs `utf8mb4`).
        case charsetMismatch
        /// A column one table lacks but that the other cannot omit on insert (NOT NULL, no default).
        case missingColumnWithoutDefault
        /// Two indexes of the same name with different definitions (compare only; join drops them).
        case indexMismatch
        /// Each part is comparable, but they disagree on the direction (one table has a wider
        /// column, the other an extra column).
        case contradictoryOrder
    }

    /// What the conflict is about.
    public enum Subject: Sendable, Hashable, Codable, CustomStringConvertible {
        case table
        case column(String)
        case index(String)

        public var description: String {
            switch self {
            case .table: return "table"
            case .column(let name): return "column `\(name)`"
            case .index(let name): return "index `\(name)`"
            }
        }
    }

    public var code: Code
    public var subject: Subject
    /// The attribute at fault: "type", "default", "nullable", "charset", ...
    public var attribute: String
    public var message: String

    public init(_ code: Code, _ subject: Subject, attribute: String, _ message: String) {
        self.code = code
        self.subject = subject
        self.attribute = attribute
        self.message = message
    }

    public var description: String { "\(self.code) (\(self.subject) \(self.attribute)): \(self.message)" }
}
