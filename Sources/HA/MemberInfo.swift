import Foundation

/// What a master publishes about itself: under its election key (so followers know where the
/// leader is) and under `members/<name>` (so `list-member` and truncation know how far each
/// mirror got).
public struct MemberInfo: Codable, Sendable, Hashable {
    public var name: String
    /// `http://host:port` of its API.
    public var apiURL: String
    /// The last sequence in its mirror (heartbeats only).
    public var mirroredSequence: UInt64?

    public init(name: String, apiURL: String, mirroredSequence: UInt64? = nil) {
        self.name = name
        self.apiURL = apiURL
        self.mirroredSequence = mirroredSequence
    }

    public func encoded() -> Data { (try? JSONEncoder().encode(self)) ?? Data() }
    public static func decode(_ data: Data) -> MemberInfo? { try? JSONDecoder().decode(MemberInfo.self, from: data) }
}

/// The leader as followers see it: who, where, and its term.
public struct LeaderInfo: Sendable, Hashable {
    public var member: MemberInfo
    public var term: UInt64
}
