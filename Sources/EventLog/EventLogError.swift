/// Why a log operation failed. Every LMDB return code is mapped here by `LMDBCall.check`.
public struct EventLogError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The append named a term older than the log's current term: a deposed leader.
        case staleTerm
        /// The memory map reached its configured maximum; the log stays readable.
        case mapFull
        /// The file system had no space for the commit; nothing was written, the log stays readable.
        case diskFull
        /// A record failed its checksum or could not be framed.
        case corruptRecord
        /// Sequence numbers are not contiguous.
        case sequenceGap
        /// Retention may only drop records already covered by a durable snapshot.
        case truncationNotCovered
        /// The log is closed.
        case closed
        /// The replicated store (etcd) could not take the append: no quorum, unreachable, or out of
        /// space. Nothing was appended, or (`message` says so) the outcome could not be resolved.
        case unavailable
        /// The local mirror does not match the replicated log at `sequence`.
        case diverged
        /// Any other LMDB or system failure.
        case storage
    }

    public var code: Code
    public var message: String
    /// The LMDB or errno return code, when one caused this.
    public var returnCode: Int32?
    /// The sequence number concerned, when there is one (e.g. the first corrupt record).
    public var sequence: UInt64?

    public init(_ code: Code, _ message: String, returnCode: Int32? = nil, sequence: UInt64? = nil) {
        self.code = code
        self.message = message
        self.returnCode = returnCode
        self.sequence = sequence
    }

    public var description: String {
        var text = "\(self.code): \(self.message)"
        if let sequence { text += " (sequence \(sequence))" }
        if let returnCode { text += " [rc \(returnCode)]" }
        return text
    }
}
