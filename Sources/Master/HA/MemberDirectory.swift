import API
import Etcd
import HA

/// The masters of the cluster, for `list-member`.
public protocol MemberDirectory: Sendable {
    func list() async -> [Components.Schemas.Master]
}

/// Every master holding an election key, in campaign order: the first leads, and its create
/// revision is the term.
struct EtcdMemberDirectory: MemberDirectory {
    let client: EtcdClient
    let keys: EtcdKeys

    func list() async -> [Components.Schemas.Master] {
        guard let answer = try? await self.client.range(
            self.keys.electionPrefix, end: EtcdKeys.end(of: self.keys.electionPrefix), sortByCreate: true)
        else { return [] }
        let leaderTerm = answer.items.first?.createRevisionValue ?? 0
        return answer.items.enumerated().compactMap { index, kv in
            guard let info = MemberInfo.decode(kv.bytes) else { return nil }
            return Components.Schemas.Master(
                name: info.name, address: info.apiURL, leader: index == 0, term: index == 0 ? leaderTerm : 0)
        }
    }
}
