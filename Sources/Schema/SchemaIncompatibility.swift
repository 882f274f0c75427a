public import BinaryCoding

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

// MARK: - Binary coding

extension SchemaIncompatibility: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.code.rawValue)
        switch self.subject {
        case .table:
            writer.writeByte(0)
        case .column(let name):
            writer.writeByte(1)
            writer.writeString(name)
        case .index(let name):
            writer.writeByte(2)
            writer.writeString(name)
        }
        writer.writeString(self.attribute)
        writer.writeString(self.message)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        let raw = try reader.readString()
        guard let code = Code(rawValue: raw) else {
            throw BinaryDecodingError(.invalidValue, at: at, "unknown SchemaIncompatibility code \(raw)")
        }
        self.code = code
        let tagAt = reader.offset
        switch try reader.readByte() {
        case 0: self.subject = .table
        case 1: self.subject = .column(try reader.readString())
        case 2: self.subject = .index(try reader.readString())
        case let tag: throw BinaryDecodingError(.invalidValue, at: tagAt, "SchemaIncompatibility subject tag \(tag)")
        }
        self.attribute = try reader.readString()
        self.message = try reader.readString()
    }
}
