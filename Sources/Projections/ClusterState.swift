public import BinaryCoding
public import Domain
public import EventLog
public import Optimism
public import Pessimism
public import Scheduling

/// The fold of every event over the deciders' states: what the leader knows.
///
/// It is rebuilt from the log whenever a master becomes leader, so it must be a pure function of
/// the events: `apply` never reads a clock and never decides.
public struct ClusterState: Sendable, Equatable {
    public var scheduling = Scheduling.State()
    public var pessimism = Pessimism.State()
    public var optimism = Optimism.State()
    public var checkpoints = CheckpointTable()
    /// The sequence of the last event folded in, 0 before any.
    public private(set) var lastSequence: UInt64 = 0
    public private(set) var lastTimestamp: Int64 = 0
    public private(set) var eventCount: UInt64 = 0

    public init() {}

    /// Folds one event in. Sequences must arrive in order; a gap means a lost record.
    public mutating func apply(_ event: Event, sequence: UInt64, timestamp: Int64) {
        self.evolveGroupA(event)
        self.evolveGroupB(event)
        self.advance(sequence: sequence, timestamp: timestamp)
    }

    // The concerns fall in two groups that never read each other's state, so a rebuild can fold
    // them on two threads (see `pipelinedFold`). Every concern must be in exactly one group.

    /// Scheduling, pessimism and checkpoints.
    @inline(__always)
    mutating func evolveGroupA(_ event: Event) {
        Scheduling.evolve(&self.scheduling, event)
        Pessimism.evolve(&self.pessimism, event)
        self.checkpoints.evolve(event)
    }

    /// Optimism.
    @inline(__always)
    mutating func evolveGroupB(_ event: Event) {
        Optimism.evolve(&self.optimism, event)
    }

    @inline(__always)
    mutating func advance(sequence: UInt64, timestamp: Int64) {
        self.lastSequence = sequence
        self.lastTimestamp = timestamp
        self.eventCount += 1
    }

    /// Takes group A's concerns from `other` (the rest stay).
    mutating func takeGroupA(from other: consuming ClusterState) {
        self.scheduling = other.scheduling
        self.pessimism = other.pessimism
        self.checkpoints = other.checkpoints
    }

    /// Drops group A's concerns (another copy owns them during a two-thread fold).
    mutating func clearGroupA() {
        self.scheduling = Scheduling.State()
        self.pessimism = Pessimism.State()
        self.checkpoints = CheckpointTable()
    }

    /// Checks every decider's invariants; the first violation names its concern.
    public func checkInvariants() throws(InvariantViolation) {
        do {
            try self.scheduling.checkInvariants()
            try self.pessimism.checkInvariants()
            try self.optimism.checkInvariants()
        } catch {
            throw InvariantViolation("at sequence \(self.lastSequence): \(error.message)")
        }
    }
}

// MARK: - Snapshot encoding

extension ClusterState {
    /// Bump when any decider state's binary layout changes; older snapshots are then ignored
    /// and the state is rebuilt by a full fold.
    public static let snapshotVersion: UInt32 = 3

    /// This state as the log stores it: at its last sequence, under the current snapshot version.
    public func snapshotRecord() -> SnapshotRecord {
        SnapshotRecord(sequence: self.lastSequence, version: Self.snapshotVersion, state: self.snapshotBytes())
    }

    public func snapshotBytes() -> [UInt8] {
        var writer = ByteWriter(reservingCapacity: 4096)
        writer.writeVarUInt(self.lastSequence)
        writer.writeVarInt(self.lastTimestamp)
        writer.writeVarUInt(self.eventCount)
        self.scheduling.encode(to: &writer)
        self.pessimism.encode(to: &writer)
        self.optimism.encode(to: &writer)
        self.checkpoints.encode(to: &writer)
        return writer.bytes
    }

    public init(snapshotBytes bytes: [UInt8]) throws(BinaryDecodingError) {
        var reader = ByteReader(bytes)
        self.init()
        self.lastSequence = try reader.readVarUInt()
        self.lastTimestamp = try reader.readVarInt()
        self.eventCount = try reader.readVarUInt()
        self.scheduling = try Scheduling.State(from: &reader)
        self.pessimism = try Pessimism.State(from: &reader)
        self.optimism = try Optimism.State(from: &reader)
        self.checkpoints = try CheckpointTable(from: &reader)
        try reader.expectEnd()
    }
}
