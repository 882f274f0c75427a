/// Why an etcd request failed, with the cause etcd (or the transport) gave.
///
/// The cases a caller acts on differently are distinct: `unreachable` and `noLeader` are retried
/// on another endpoint or later, `compacted` restarts a watch or read from a newer revision,
/// `spaceExceeded` needs an operator (compact, defragment, disarm), and `ambiguous` means a write
/// may or may not have been applied, so it must be resolved by reading back, never by guessing.
public struct EtcdError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No endpoint accepted the connection or answered in time.
        case unreachable
        /// The member has no raft leader (quorum lost), answered at once thanks to `hasleader`.
        case noLeader = "no_leader"
        /// `mvcc: required revision has been compacted`.
        case compacted
        /// `mvcc: database space exceeded`: the NOSPACE alarm is raised; only reads and deletes pass.
        case spaceExceeded = "space_exceeded"
        /// The request is over `--max-request-bytes`.
        case requestTooLarge = "request_too_large"
        /// A write timed out or lost its connection after it was sent: it may have been applied.
        case ambiguous
        /// Any other answer etcd refused with.
        case rejected
        /// An answer this client could not decode.
        case badResponse = "bad_response"
    }

    public var code: Code
    public var message: String
    /// The HTTP status, when etcd answered.
    public var status: Int?
    /// The compaction revision, for `.compacted` watches.
    public var compactRevision: Int64?
    /// The transport or decoding error underneath.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, status: Int? = nil, compactRevision: Int64? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.compactRevision = compactRevision
        self.cause = cause
    }

    public var description: String {
        var text = "etcd \(self.code.rawValue): \(self.message)"
        if let status { text += " (HTTP \(status))" }
        return text
    }

    /// Classifies a gateway error body (`{"error","message","code"}`).
    static func fromGateway(status: Int, message: String, grpcCode: Int?) -> EtcdError {
        if message.contains("required revision has been compacted") { return EtcdError(.compacted, message, status: status) }
        if message.contains("database space exceeded") { return EtcdError(.spaceExceeded, message, status: status) }
        if message.contains("no leader") || status == 503 { return EtcdError(.noLeader, message, status: status) }
        if message.contains("request is too large") || message.contains("larger than max") {
            return EtcdError(.requestTooLarge, message, status: status)
        }
        return EtcdError(.rejected, message, status: status)
    }
}
