public import BinaryCoding

/// An operator's instruction for one binlog event of one subtask (`braid ctl binlog skip|replace`,
/// DM's `binlog` / `handle-error`): when the subtask's sync reaches the DDL event starting at
/// `position`, it skips the event or runs `statements` in its place.
///
/// An operation is inert once the subtask's checkpoint has passed its position: the checkpoint
/// never re-reads that event, so operations need no "consumed" bookkeeping.
public struct BinlogOperation: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        /// The event is not executed downstream; the schema tracker keeps its state.
        case skip
        /// `statements` run as if they had been the event.
        case replace
    }

    /// The start position of the binlog event the operation applies to.
    public var position: BinlogPosition
    public var action: Action
    /// The replacement statements (`replace` only; empty for `skip`).
    public var statements: [String]

    public init(position: BinlogPosition, action: Action, statements: [String] = []) {
        self.position = position
        self.action = action
        self.statements = statements
    }

    public static func skip(at position: BinlogPosition) -> BinlogOperation {
        BinlogOperation(position: position, action: .skip)
    }

    public static func replace(at position: BinlogPosition, with statements: [String]) -> BinlogOperation {
        BinlogOperation(position: position, action: .replace, statements: statements)
    }

    public var description: String {
        switch self.action {
        case .skip: "skip at \(self.position)"
        case .replace: "replace at \(self.position) with \(self.statements)"
        }
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.position)
        switch self.action {
        case .skip: writer.writeByte(1)
        case .replace: writer.writeByte(2)
        }
        writer.writeArray(self.statements)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.position = try reader.read()
        let at = reader.offset
        switch try reader.readByte() {
        case 1: self.action = .skip
        case 2: self.action = .replace
        case let other: throw BinaryDecodingError(.invalidValue, at: at, "binlog operation action tag \(other)")
        }
        self.statements = try reader.readArray()
    }
}
