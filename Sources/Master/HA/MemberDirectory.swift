import API
import Etcd
import HA

/// The masters of the cluster, for `list-member`.
public protocol MemberDirectory: Sendable {
    func list() async -> [Components.Schemas.Master]
    /// Whether `name` has a current heartbeat; `nil` when etcd cannot say.
    func isLive(_ name: String) async -> Bool?
}

/// Every live master (its `members/<name>` heartbeat), the leader first: the holder of the
/// election key with the lowest create revision, which is the term.
struct EtcdMemberDirectory: MemberDirectory {
    let client: EtcdClient
    let keys: EtcdKeys

    func isLive(_ name: String) async -> Bool? {
        guard let heartbeat = try? await self.client.range(self.keys.member(name)) else { return nil }
        return !heartbeat.items.isEmpty
    }

    func list() async -> [Components.Schemas.Master] {
        let electionEnd = EtcdKeys.end(of: self.keys.electionPrefix)
        let membersEnd = EtcdKeys.end(of: self.keys.membersPrefix)
        guard let election = try? await self.client.range(self.keys.electionPrefix, end: electionEnd, sortByCreate: true),
              let heartbeats = try? await self.client.range(self.keys.membersPrefix, end: membersEnd)
        else { return [] }
        let leader = election.items.first.flatMap { kv in MemberInfo.decode(kv.bytes).map { ($0.name, kv.createRevisionValue) } }
        var members = heartbeats.items.compactMap { MemberInfo.decode($0.bytes) }
        // A campaigning master shows up before its first heartbeat lands.
        for kv in election.items {
            if let info = MemberInfo.decode(kv.bytes), !members.contains(where: { $0.name == info.name }) { members.append(info) }
        }
        members.sort { a, b in (a.name == leader?.0 ? 0 : 1, a.name) < (b.name == leader?.0 ? 0 : 1, b.name) }
        return members.map { info in
            let leads = info.name == leader?.0
            return Components.Schemas.Master(
                name: info.name, address: info.apiURL, leader: leads, term: leads ? leader!.1 : 0,
                mirrored_sequence: info.mirroredSequence.map { Int64($0) })
        }
    }
}

/// Publishes `members/<name>` on a lease of its own, with the mirror's position, so list-member
/// shows every live master (an evicted one included) and how far its mirror got.
struct MemberHeartbeat {
    let client: EtcdClient
    let keys: EtcdKeys
    let member: MemberInfo
    let ttl: Duration
    let mirrored: @Sendable () -> UInt64

    func run() async {
        var lease: Int64?
        let seconds = max(2, Int64(self.ttl.components.seconds))
        while !Task.isCancelled {
            do throws(EtcdError) {
                if let current = lease, try await self.client.keepAlive(lease: current) > 0 {
                } else {
                    lease = try await self.client.grantLease(ttl: seconds)
                }
                var info = self.member
                info.mirroredSequence = self.mirrored()
                try await self.client.put(self.keys.member(self.member.name), info.encoded(), lease: lease)
            } catch {
                lease = nil
            }
            try? await Task.sleep(for: self.ttl / 3)
        }
        if let lease { try? await self.client.revoke(lease: lease) }
    }
}
