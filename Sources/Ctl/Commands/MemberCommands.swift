import ArgumentParser

/// `list-member [--leader] [--master] [--worker] [-n name ...]`.
struct ListMemberCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list-member",
        abstract: "List the leader, the masters and the workers (with their stage and bound source).",
        discussion: "With none of --leader/--masters/--worker, all three. `--master` right after the command is --masters, as dmctl spells it.")

    @OptionGroup var global: CtlGlobalOptions
    @Flag(help: "The leader master.")
    var leader = false
    @Flag(help: "The masters (dmctl's --master).")
    var masters = false
    @Flag(help: "The workers.")
    var worker = false
    @Option(name: [.customShort("n"), .customLong("name")], help: "Only members with these names (repeat, or comma separated).")
    var name: [String] = []

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let all = !self.masters && !self.worker && !self.leader
        let names = Set(splitList(self.name))
        var members: [[String: Any]] = []
        if all || self.masters || self.leader {
            let masters = try await ctl.client.listMasters().filter { names.isEmpty || names.contains($0.name) }
            if all || self.leader, let leader = masters.first(where: \.leader) {
                members.append(["leader": ["msg": "", "name": leader.name, "addr": leader.address]])
            }
            if all || self.masters {
                members.append(["master": ["msg": "", "masters": masters.map { CtlOutput.tree($0) }]])
            }
        }
        if all || self.worker {
            let workers = try await ctl.client.listWorkers().filter { names.isEmpty || names.contains($0.name) }
            members.append(["worker": ["msg": "", "workers": workers.map { w -> [String: Any] in
                ["name": w.name, "addr": w.address, "stage": w.stage.rawValue, "source": w.source ?? ""]
            }]])
        }
        return ["members": members]
    }
}

/// `offline-member --worker --name <name>`.
struct OfflineMemberCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "offline-member",
        abstract: "Remove an offline worker from the cluster, or confirm that a stopped master is gone (a live member is refused).",
        discussion: "HA masters: Braid does not embed etcd, so a stopped master's keys expire with its lease; --master only confirms it.")

    @OptionGroup var global: CtlGlobalOptions
    @Flag(help: "The member is a worker.")
    var worker = false
    @Flag(help: "The member is a master (dmctl's --master; HA clusters).")
    var masters = false
    @Option(name: [.customShort("n"), .customLong("name")], help: "The member's name.")
    var name: String

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        guard self.worker != self.masters else {
            throw CtlError.failed("offline-member needs exactly one of --worker and --master")
        }
        if self.masters {
            try await ctl.client.offlineMaster(name: self.name)
        } else {
            try await ctl.client.offlineWorker(name: self.name)
        }
        return ["name": self.name]
    }
}

/// `operate-leader evict|cancel-evict`, sent to one master (`--master` with one address).
struct OperateLeaderCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "operate-leader",
        abstract: "Hand leadership over: evict makes the receiving master resign and stop campaigning; cancel-evict lets it campaign again.",
        discussion: "HA clusters only. The request is answered by the master named in --master, not redirected to the leader.")

    enum Operation: String, ExpressibleByArgument, CaseIterable {
        case evict
        case cancelEvict = "cancel-evict"
    }

    @OptionGroup var global: CtlGlobalOptions
    @Argument(help: "evict or cancel-evict.")
    var operation: Operation

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        switch self.operation {
        case .evict: try await ctl.client.evictLeader()
        case .cancelEvict: try await ctl.client.cancelEvictLeader()
        }
        return ["op": self.operation.rawValue]
    }
}
