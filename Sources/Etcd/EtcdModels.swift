import Foundation

// Wire models of etcd 3.4's v3 JSON gateway. Bytes fields are base64 (Foundation's default for
// `Data`); int64 fields are strings (`EtcdInt64`); proto3 omits zero values, so every field that
// can be zero is optional.

public struct EtcdResponseHeader: Codable, Sendable, Hashable {
    public var clusterID: EtcdInt64?
    public var memberID: EtcdInt64?
    public var revision: EtcdInt64?
    public var raftTerm: EtcdInt64?

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id", memberID = "member_id", revision, raftTerm = "raft_term"
    }

    public var revisionValue: Int64 { self.revision?.value ?? 0 }
    /// etcd's cluster id as unsigned hex (how etcdctl prints it).
    public var clusterIDHex: String { String(UInt64(bitPattern: self.clusterID?.value ?? 0), radix: 16) }
}

public struct EtcdKeyValue: Codable, Sendable, Hashable {
    public var key: Data
    public var value: Data?
    public var createRevision: EtcdInt64?
    public var modRevision: EtcdInt64?
    public var version: EtcdInt64?
    public var lease: EtcdInt64?

    enum CodingKeys: String, CodingKey {
        case key, value, createRevision = "create_revision", modRevision = "mod_revision", version, lease
    }

    public var keyString: String { String(decoding: self.key, as: UTF8.self) }
    public var bytes: Data { self.value ?? Data() }
    public var createRevisionValue: Int64 { self.createRevision?.value ?? 0 }
    public var modRevisionValue: Int64 { self.modRevision?.value ?? 0 }
}

public struct EtcdRangeResponse: Codable, Sendable {
    public var header: EtcdResponseHeader?
    public var kvs: [EtcdKeyValue]?
    public var more: Bool?
    public var count: EtcdInt64?

    public var items: [EtcdKeyValue] { self.kvs ?? [] }
}

/// One comparison of a txn: `target` of `key` compared with the value.
public struct EtcdCompare: Codable, Sendable {
    public enum Result: String, Codable, Sendable { case equal = "EQUAL", greater = "GREATER", less = "LESS", notEqual = "NOT_EQUAL" }
    public enum Target: String, Codable, Sendable { case version = "VERSION", create = "CREATE", mod = "MOD", value = "VALUE", lease = "LEASE" }

    public var result: Result
    public var target: Target
    public var key: Data
    public var version: EtcdInt64?
    public var createRevision: EtcdInt64?
    public var modRevision: EtcdInt64?
    public var value: Data?

    enum CodingKeys: String, CodingKey {
        case result, target, key, version, createRevision = "create_revision", modRevision = "mod_revision", value
    }

    /// `CREATE(key) == revision`: the key exists with that create revision (0: the key is absent).
    public static func createRevision(_ key: String, _ result: Result = .equal, _ revision: Int64) -> EtcdCompare {
        EtcdCompare(result: result, target: .create, key: Data(key.utf8), createRevision: EtcdInt64(revision))
    }

    /// `MOD(key) == revision` (0: the key is absent).
    public static func modRevision(_ key: String, _ result: Result = .equal, _ revision: Int64) -> EtcdCompare {
        EtcdCompare(result: result, target: .mod, key: Data(key.utf8), modRevision: EtcdInt64(revision))
    }

    /// `VALUE(key) == value`. etcd fails a value compare on an absent key whatever the value.
    public static func value(_ key: String, _ result: Result = .equal, _ value: Data) -> EtcdCompare {
        EtcdCompare(result: result, target: .value, key: Data(key.utf8), value: value)
    }
}

/// One operation of a txn branch.
public enum EtcdOperation: Codable, Sendable {
    case put(key: String, value: Data, lease: Int64?)
    case range(key: String, rangeEnd: String?)
    case deleteRange(key: String, rangeEnd: String?)

    struct PutBody: Codable { var key: Data; var value: Data; var lease: EtcdInt64? }
    struct RangeBody: Codable { var key: Data; var range_end: Data? }

    enum CodingKeys: String, CodingKey { case requestPut = "request_put", requestRange = "request_range", requestDeleteRange = "request_delete_range" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .put(let key, let value, let lease):
            try container.encode(PutBody(key: Data(key.utf8), value: value, lease: lease.map { EtcdInt64($0) }), forKey: .requestPut)
        case .range(let key, let end):
            try container.encode(RangeBody(key: Data(key.utf8), range_end: end.map { Data($0.utf8) }), forKey: .requestRange)
        case .deleteRange(let key, let end):
            try container.encode(RangeBody(key: Data(key.utf8), range_end: end.map { Data($0.utf8) }), forKey: .requestDeleteRange)
        }
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "operations are only sent"))
    }
}

public struct EtcdTxnResponse: Codable, Sendable {
    public struct Answer: Codable, Sendable {
        public var responseRange: EtcdRangeResponse?
        enum CodingKeys: String, CodingKey { case responseRange = "response_range" }
    }

    public var header: EtcdResponseHeader?
    public var succeeded: Bool?
    public var responses: [Answer]?

    public var didSucceed: Bool { self.succeeded ?? false }
    /// The range answers of the branch that ran, in order (puts and deletes have none).
    public var ranges: [EtcdRangeResponse] { (self.responses ?? []).compactMap(\.responseRange) }
}

public struct EtcdStatus: Codable, Sendable {
    public var header: EtcdResponseHeader?
    public var version: String?
    public var dbSize: EtcdInt64?
    public var dbSizeInUse: EtcdInt64?
    public var leader: EtcdInt64?
    public var raftTerm: EtcdInt64?
    public var errors: [String]?
}

public struct EtcdWatchEvent: Codable, Sendable {
    /// Absent for PUT (proto3 omits the zero enum value).
    public var type: String?
    public var kv: EtcdKeyValue?

    public var isDelete: Bool { self.type == "DELETE" }
}

public struct EtcdWatchResponse: Codable, Sendable {
    public var header: EtcdResponseHeader?
    public var created: Bool?
    public var canceled: Bool?
    public var compactRevision: EtcdInt64?
    public var cancelReason: String?
    public var events: [EtcdWatchEvent]?

    enum CodingKeys: String, CodingKey {
        case header, created, canceled, events, compactRevision = "compact_revision", cancelReason = "cancel_reason"
    }
}
