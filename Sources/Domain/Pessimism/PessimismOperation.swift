public import BinaryCoding

/// The leader's answer to a blocked source (DM's pessimism `Operation`): execute the lock's DDLs
/// downstream (`exec`, only ever the owner) or skip them because the owner already did.
public struct PessimismOperation: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    public var lock: LockID
    /// Which instance of `lock` issued this operation. Successive DDLs on one table reuse the
    /// lock id, so a worker echoes this number with its done and a late done for an earlier
    /// instance cannot complete a later one (the version guard DM lacked, dm#1253/dm#936).
    public var lockSerial: UInt64
    public var task: TaskName
    public var source: SourceID
    public var ddls: [String]
    /// `true`: run the DDLs downstream; `false`: skip them (the owner has run them).
    public var exec: Bool
    /// Set once the source reported it executed or skipped the DDLs.
    public var done: Bool

    public init(
        lock: LockID,
        lockSerial: UInt64,
        task: TaskName,
        source: SourceID,
        ddls: [String],
        exec: Bool,
        done: Bool = false
    ) {
        self.lock = lock
        self.lockSerial = lockSerial
        self.task = task
        self.source = source
        self.ddls = ddls
        self.exec = exec
        self.done = done
    }

    public var description: String {
        "\(self.exec ? "exec" : "skip") \(self.source) \(self.done ? "done" : "pending")"
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.lock)
        writer.writeVarUInt(self.lockSerial)
        writer.write(self.task)
        writer.write(self.source)
        writer.writeArray(self.ddls)
        writer.writeBool(self.exec)
        writer.writeBool(self.done)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.lock = try reader.read()
        self.lockSerial = try reader.readVarUInt()
        self.task = try reader.read()
        self.source = try reader.read()
        self.ddls = try reader.readArray()
        self.exec = try reader.readBool()
        self.done = try reader.readBool()
    }
}
