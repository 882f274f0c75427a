public import Domain
public import Schema

/// An optimistic DDL a table skipped while it conflicted with other shards (DM's "skip and wait for
/// redirect"). The table's events wait, with its checkpoint points before `start`, until the master
/// redirects it; then they are re-read from `start` and the DDL is reported again exactly as it was.
public struct SkippedDDL: Sendable, Hashable {
    public var start: BinlogPosition
    public var end: BinlogPosition
    /// The schema before the DDL: the tracker already holds the one after it.
    public var before: TableInfo
    /// The skip operation, then the redirect: only a later operation answers the replayed report.
    public var operationID: Int64?
}
