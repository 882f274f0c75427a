import API
import ArgumentParser

/// `shard-ddl-lock [task-name]` and `shard-ddl-lock unlock <lock-id> ...`.
struct ShardDDLLockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard-ddl-lock",
        abstract: "Show shard-DDL locks, or unlock one that is stuck.",
        subcommands: [ShowLocksCommand.self, UnlockLockCommand.self],
        defaultSubcommand: ShowLocksCommand.self)
}

/// `shard-ddl-lock [show] [task-name]`.
struct ShowLocksCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List the shard-DDL locks (of one task): DDLs, owner, synced and unsynced sources or tables.",
        discussion: "`shard-ddl-lock <task-name>` is the same as `shard-ddl-lock show <task-name>`.")

    @OptionGroup var global: CtlGlobalOptions
    @Option(name: [.customShort("s"), .customLong("source")], help: "Accepted for dmctl compatibility; locks span sources.")
    var source: [String] = []
    @Argument(help: "A task's name; every task's locks when omitted.")
    var taskName: String?

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        let locks = try await ctl.client.listLocks(task: self.taskName)
        return ["locks": locks.map { CtlOutput.tree($0) }]
    }
}

/// `shard-ddl-lock unlock <lock-id> [-o owner] [-f] [-a skip|exec] [-s source] [-d db] [-t table]`.
struct UnlockLockCommand: CtlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Resolve a stuck shard-DDL lock by hand.",
        discussion: """
            Pessimistic lock: the owner (-o, default the lock's) executes the DDL and the other sources skip \
            it; -f removes the lock without executing. Optimistic lock: name one stuck table with -s/-d/-t and \
            -a skip|exec (exec runs its DDL, skip drops it), or -f to remove the whole lock.
            """)

    @OptionGroup var global: CtlGlobalOptions
    @Option(name: [.customShort("o"), .customLong("owner")], help: "Pessimistic: the source that executes the DDL.")
    var owner: String?
    @Flag(name: [.customShort("f"), .customLong("force-remove")], help: "Remove the lock without executing its DDL.")
    var forceRemove = false
    @Option(name: [.customShort("a"), .customLong("action")], help: "Optimistic: skip or exec the table's DDL.")
    var action: String?
    @Option(name: [.customShort("s"), .customLong("source")], help: "Optimistic: the stuck table's source.")
    var source: String?
    @Option(name: [.customShort("d"), .customLong("database")], help: "Optimistic: the stuck table's upstream schema.")
    var database: String?
    @Option(name: [.customShort("t"), .customLong("table")], help: "Optimistic: the stuck table's upstream table.")
    var table: String?
    @Argument(help: "The lock's ID as shard-ddl-lock shows it, e.g. test-`shardddl`.`tb`.")
    var lockID: String

    func reply(_ ctl: Ctl) async throws -> [String: Any] {
        var action: Components.Schemas.UnlockRequest.actionPayload?
        if let text = self.action {
            guard let parsed = Components.Schemas.UnlockRequest.actionPayload(rawValue: text) else {
                throw CtlError.usage("--action must be skip or exec, not \(text)")
            }
            action = parsed
        }
        let request = Components.Schemas.UnlockRequest(
            lock_id: self.lockID, owner: self.owner, force_remove: self.forceRemove ? true : nil,
            action: action, source: self.source, schema: self.database, table: self.table)
        let appended = try await ctl.client.unlockLock(request)
        return ["lock": self.lockID, "events": appended.events, "first_sequence": appended.first_sequence]
    }
}
