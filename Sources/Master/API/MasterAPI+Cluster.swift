import API
import Domain

/// Cluster members: this master (the leader in embedded mode), workers, offline-member.
extension MasterAPI {
    public func listMasters(_ input: Operations.listMasters.Input) async throws -> Operations.listMasters.Output {
        if let members = self.members { return .ok(.init(body: .json(await members.list()))) }
        return .ok(.init(body: .json([
            .init(name: self.configuration.name, address: self.configuration.address, leader: true, term: Int64(self.host.term)),
        ])))
    }

    /// In HA mode `MemberResponder` answers these before a request reaches the API; here the
    /// master is embedded and has nobody to hand leadership to.
    public func evictLeader(_ input: Operations.evictLeader.Input) async throws -> Operations.evictLeader.Output {
        .default(statusCode: 409, .init(body: .json(.init(code: "conflict", message: "operate-leader needs an HA cluster (braid master --etcd); this master is embedded"))))
    }

    public func cancelEvictLeader(_ input: Operations.cancelEvictLeader.Input) async throws -> Operations.cancelEvictLeader.Output {
        .default(statusCode: 409, .init(body: .json(.init(code: "conflict", message: "operate-leader needs an HA cluster (braid master --etcd); this master is embedded"))))
    }

    /// `offline-member --master`: confirms a master is gone (its keys expire with its lease).
    public func offlineMaster(_ input: Operations.offlineMaster.Input) async throws -> Operations.offlineMaster.Output {
        await self.answer("offlineMaster", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let name = input.path.master_hyphen_name
            guard let members = self.members else {
                throw .conflict("offline-member --master needs an HA cluster (braid master --etcd); this master is embedded and the only one")
            }
            guard name != self.configuration.name else {
                throw .conflict("\(name) is the leader answering this call: evict it (operate-leader evict) or stop it first")
            }
            switch await members.isLive(name) {
            case .some(true):
                throw .conflict("master \(name) is alive (its heartbeat is current): stop it first; a stopped master's keys expire with its lease")
            case .some(false):
                return .noContent(.init())
            case .none:
                throw APIFailure(status: 503, code: "unavailable", message: "etcd cannot say whether \(name) is alive")
            }
        }
    }

    public func listWorkers(_ input: Operations.listWorkers.Input) async throws -> Operations.listWorkers.Output {
        let workers = await self.state.scheduling.workers
        return .ok(.init(body: .json(workers.keys.sorted().map { name in
            Conversions.worker(name, workers[name]!, lastSeen: self.liveness.lastSeen(name))
        })))
    }

    public func offlineWorker(_ input: Operations.offlineWorker.Input) async throws -> Operations.offlineWorker.Output {
        await self.answer("offlineWorker", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            try await self.submit(.scheduling(.offlineMember(WorkerName(input.path.worker_hyphen_name))))
            return .noContent(.init())
        }
    }
}
