public import Domain

/// The checkpoint position type of the whole pipeline. MySQLClient has its own wire-level
/// `BinlogPosition` (a 64-bit offset); this module always means Domain's.
public typealias BinlogPosition = Domain.BinlogPosition
