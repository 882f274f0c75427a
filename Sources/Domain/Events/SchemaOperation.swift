public import BinaryCoding

/// An operator's replacement of the schema one subtask tracks for one upstream table
/// (`braid ctl binlog-schema update|delete`, DM's `binlog-schema` / `operate-schema`).
///
/// `createTable` is the `CREATE TABLE` the table is tracked with from the subtask's checkpoint on
/// (the master resolves `--from-source` / `--from-target` into that text before recording it, so the
/// log holds exactly what was set); `nil` deletes the tracked schema, and the subtask re-reads the
/// table's current `SHOW CREATE TABLE` upstream when it next starts.
///
/// `id` grows across the whole cluster. The subtask applies an operation when it starts (or resumes
/// from a pause) and records the highest id it applied in its downstream checkpoint, in the same
/// transaction as the schema: an operation at or below that id is inert, so a restart after later DDLs
/// never goes back to an old schema, and operations need no "consumed" event.
public struct SchemaOperation: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    public var id: UInt64
    /// The upstream table, as the subtask's binlog names it.
    public var schema: String
    public var table: String
    public var createTable: String?

    public init(id: UInt64, schema: String, table: String, createTable: String?) {
        self.id = id
        self.schema = schema
        self.table = table
        self.createTable = createTable
    }

    public var description: String {
        "#\(self.id) \(self.createTable == nil ? "delete" : "set") `\(self.schema)`.`\(self.table)`"
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeVarUInt(self.id)
        writer.write(self.schema)
        writer.write(self.table)
        writer.writeOptional(self.createTable)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.id = try reader.readVarUInt()
        self.schema = try reader.read()
        self.table = try reader.read()
        self.createTable = try reader.readOptional()
    }
}
