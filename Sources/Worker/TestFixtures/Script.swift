import Schema

/// **Test fixture**: the JSON script `ScriptedSubtaskRunner` replays for one subtask.
///
/// ```json
/// {"steps": [
///   {"kind": "checkpoint", "binlog_name": "mysql-bin.000001", "binlog_pos": 120},
///   {"kind": "ddl", "mode": "pessimistic", "schema": "db", "table": "t", "ddls": ["ALTER TABLE ..."]},
///   {"kind": "source_tables", "tables": [{"up_schema": "db", "up_table": "t1", "down_schema": "db",
///    "down_table": "t", "table_info": {TableInfo}}]},
///   {"kind": "gate", "name": "s2-ddl"},
///   {"kind": "ddl", "mode": "optimistic", "up_schema": "db", "up_table": "t1", "down_schema": "db",
///    "down_table": "t", "ddls": ["..."], "before": {TableInfo}, "after": [{TableInfo}]}
/// ], "finish": false}
/// ```
/// A `gate` step waits until the file `<name>.gate` exists in the script directory, so a test decides
/// when a subtask reaches its next step (e.g. its DDL) without killing the worker.
/// For a pessimistic step `schema`/`table` name the downstream table (the lock is task-`schema`.`table`).
public struct Script: Sendable, Codable {
    public var steps: [Step]
    /// Report `Finished` after the last step (otherwise the subtask idles as Running).
    public var finish: Bool?

    public init(steps: [Step], finish: Bool? = nil) {
        self.steps = steps
        self.finish = finish
    }

    public struct Step: Sendable, Codable {
        public enum Kind: String, Sendable, Codable {
            case ddl, checkpoint, gate
            case sourceTables = "source_tables"
        }

        public var kind: Kind
        public var mode: String?
        public var schema: String?
        public var table: String?
        public var upSchema: String?
        public var upTable: String?
        public var downSchema: String?
        public var downTable: String?
        public var ddls: [String]?
        public var before: TableInfo?
        public var after: [TableInfo]?
        public var strict: Bool?
        public var binlogName: String?
        public var binlogPos: UInt32?
        public var gtid: String?
        public var tables: [SourceTableSchema]?
        /// `gate`: the file `<name>.gate` the step waits for.
        public var name: String?

        public init(kind: Kind, mode: String? = nil, schema: String? = nil, table: String? = nil, ddls: [String]? = nil,
            binlogName: String? = nil, binlogPos: UInt32? = nil) {
            self.kind = kind
            self.mode = mode
            self.schema = schema
            self.table = table
            self.ddls = ddls
            self.binlogName = binlogName
            self.binlogPos = binlogPos
        }

        enum CodingKeys: String, CodingKey {
            case kind, mode, schema, table, ddls, before, after, strict, gtid, tables, name
            case upSchema = "up_schema", upTable = "up_table", downSchema = "down_schema", downTable = "down_table"
            case binlogName = "binlog_name", binlogPos = "binlog_pos"
        }
    }
}
