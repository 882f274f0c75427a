public import BinaryCoding
import Foundation

/// A string-backed identifier. Distinct types keep a source id from being passed as a task name.
public protocol StringIdentifier: RawRepresentable<String>, Sendable, Hashable, Comparable, Codable,
    CodingKeyRepresentable, BinaryCodable, ExpressibleByStringLiteral, CustomStringConvertible
{
    init(rawValue: String)
}

extension StringIdentifier {
    public init(_ value: String) { self.init(rawValue: value) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { self.rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public func encode(to writer: inout ByteWriter) { writer.writeString(self.rawValue) }
    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.init(rawValue: try reader.readString())
    }
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    /// Id-keyed dictionaries encode as JSON objects rather than alternating key/value arrays.
    public var codingKey: any CodingKey { IdentifierCodingKey(stringValue: self.rawValue) }
    public init?<T: CodingKey>(codingKey: T) { self.init(rawValue: codingKey.stringValue) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}

/// An upstream source, DM's `source-id` (e.g. `mysql-replica-01`).
public struct SourceID: StringIdentifier {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A task name, DM's `name` in task.yaml.
public struct TaskName: StringIdentifier {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A worker's name, unique in the cluster.
public struct WorkerName: StringIdentifier {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A `schema`.`table` pair, upstream or downstream depending on context.
public struct TableName: Sendable, Hashable, Comparable, Codable, BinaryCodable, CustomStringConvertible {
    public var schema: String
    public var table: String

    public init(schema: String, table: String) {
        self.schema = schema
        self.table = table
    }

    /// Backquoted as MySQL prints it: `` `schema`.`table` `` (a backquote inside a name is doubled).
    public var quoted: String {
        func quote(_ name: String) -> String { "`" + name.replacingOccurrences(of: "`", with: "``") + "`" }
        return quote(self.schema) + "." + quote(self.table)
    }
    public var description: String { self.quoted }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.schema, lhs.table) < (rhs.schema, rhs.table) }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.schema)
        writer.writeString(self.table)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.schema = try reader.readString()
        self.table = try reader.readString()
    }
}

/// A shard-DDL lock id in DM's format, ``task-`schema`.`table` `` (downstream table).
public struct LockID: StringIdentifier {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public init(task: TaskName, downstream: TableName) {
        self.rawValue = "\(task.rawValue)-\(downstream.quoted)"
    }

    /// Splits the id back into task and table; `nil` if it is not in DM's format.
    public var components: (task: TaskName, downstream: TableName)? {
        // The task name may itself contain '-', so parse from the end: "-`schema`.`table`".
        guard self.rawValue.hasSuffix("`"), let dashTick = self.rawValue.range(of: "-`", options: .backwards) else {
            return nil
        }
        let task = String(self.rawValue[..<dashTick.lowerBound])
        let rest = self.rawValue[dashTick.upperBound...].dropLast()  // schema`.`table
        guard let sep = rest.range(of: "`.`") else { return nil }
        return (TaskName(task), TableName(schema: String(rest[..<sep.lowerBound]), table: String(rest[sep.upperBound...])))
    }
}

/// The coding key of a `StringIdentifier` used as a dictionary key.
public struct IdentifierCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
