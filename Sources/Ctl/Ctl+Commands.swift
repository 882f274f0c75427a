import API
import Domain
import Foundation
import MasterClient

/// The dmctl commands, one method each.
extension Ctl {
    func operateSource(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(rest, valued: ["worker": ["-w", "--worker"], "source": ["-s", "--source"]])
        guard let op = args.positionals.first else { throw CtlError.usage("operate-source create|update|stop|show [config-file ...]") }
        let files = Array(args.positionals.dropFirst())
        var sources: [[String: Any]] = []
        switch op {
        case "create":
            guard !files.isEmpty else { throw CtlError.usage("operate-source create <config-file ...>") }
            for file in files {
                let created = try await self.client.createSource(yaml: try Self.readFile(file), worker: args.one("worker"))
                sources.append(["result": true, "msg": "", "source": created.source_id, "worker": created.worker ?? ""])
            }
        case "update":
            guard !files.isEmpty else { throw CtlError.usage("operate-source update <config-file ...>") }
            for file in files {
                let yaml = try Self.readFile(file)
                let name = try SourceConfig.load(yaml: yaml).config.sourceID.rawValue
                let updated = try await self.client.updateSource(name: name, yaml: yaml)
                sources.append(["result": true, "msg": "", "source": updated.source_id, "worker": updated.worker ?? ""])
            }
        case "stop":
            // dmctl names the source by its config file; a bare source name (or `-s`) also works.
            var names = args.all("source")
            for file in files {
                if FileManager.default.fileExists(atPath: file) {
                    names.append(try SourceConfig.load(yaml: try Self.readFile(file)).config.sourceID.rawValue)
                } else {
                    names.append(file)
                }
            }
            guard !names.isEmpty else { throw CtlError.usage("operate-source stop <config-file | source ...>") }
            for name in names {
                try await self.client.deleteSource(name: name)
                sources.append(["result": true, "msg": "", "source": name])
            }
        case "show":
            let filter = Set(args.all("source"))
            for source in try await self.client.listSources() where filter.isEmpty || filter.contains(source.source_id) {
                var entry: [String: Any] = ["result": true, "msg": "", "source": source.source_id, "worker": source.worker ?? ""]
                entry["config"] = CtlOutput.tree(source.config)
                if let epoch = source.binding_epoch { entry["binding_epoch"] = epoch }
                sources.append(entry)
            }
        default:
            throw CtlError.usage("operate-source create|update|stop|show, not \(op)")
        }
        return ["sources": sources]
    }

    func transferSource(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(rest)
        guard args.positionals.count == 2 else { throw CtlError.usage("transfer-source <source-id> <worker-id>") }
        let source = try await self.client.transferSource(name: args.positionals[0], worker: args.positionals[1])
        return ["source": source.source_id, "worker": source.worker ?? ""]
    }

    func startTask(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(rest, valued: ["source": ["-s", "--source"]], switches: ["remove-meta": ["--remove-meta"]])
        guard args.positionals.count == 1 else { throw CtlError.usage("start-task [--remove-meta] [-s source ...] <config-file>") }
        let status = try await self.client.startTask(
            yaml: try Self.readFile(args.positionals[0]), removeMeta: args.has("remove-meta"), sources: args.all("source"))
        return ["task": status.name, "sources": Self.subtasks(status)]
    }

    func operateTask(_ command: String, _ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(rest, valued: ["source": ["-s", "--source"]])
        guard args.positionals.count == 1 else { throw CtlError.usage("\(command) [-s source ...] <task-name>") }
        let name = args.positionals[0]
        let sources = args.all("source")
        switch command {
        case "stop-task":
            try await self.client.stopTask(name: name, sources: sources)
            return ["task": name, "op": "Stop", "sources": sources]
        case "pause-task":
            let status = try await self.client.pauseTask(name: name, sources: sources)
            return ["task": name, "op": "Pause", "sources": Self.subtasks(status)]
        default:
            let status = try await self.client.resumeTask(name: name, sources: sources)
            return ["task": name, "op": "Resume", "sources": Self.subtasks(status)]
        }
    }

    func queryStatus(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(rest, valued: ["source": ["-s", "--source"]], switches: ["more": ["--more"]])
        if let name = args.positionals.first {
            let status = try await self.client.getTask(name: name)
            let filter = Set(args.all("source"))
            var tree = CtlOutput.tree(status)
            if !filter.isEmpty, var object = tree as? [String: Any] {
                object["subtasks"] = Self.subtasks(status).filter { filter.contains(($0["source"] as? String) ?? "") }
                tree = object
            }
            var out: [String: Any] = ["task": name, "status": tree]
            let progress = status.subtasks.compactMap { Self.progressLine($0) }
            if !progress.isEmpty { out["progress"] = progress }
            return out
        }
        let tasks = try await self.client.listTasks()
        return ["tasks": tasks.map { task -> [String: Any] in
            var stages = Set(task.subtasks.map { $0.status?.stage.rawValue ?? $0.expected_stage.rawValue })
            if stages.isEmpty { stages = ["Stopped"] }
            return ["taskName": task.name, "taskStatus": stages.sorted().joined(separator: ","), "sources": task.subtasks.map(\.source)]
        }]
    }

    func shardDDLLock(_ rest: [String]) async throws -> [String: Any] {
        if rest.first == "unlock" {
            let args = try CtlArguments(
                Array(rest.dropFirst()),
                valued: [
                    "owner": ["-o", "--owner"], "action": ["-a", "--action"], "source": ["-s", "--source"],
                    "database": ["-d", "--database"], "table": ["-t", "--table"],
                ],
                switches: ["force-remove": ["-f", "--force-remove"]])
            guard args.positionals.count == 1 else {
                throw CtlError.usage("shard-ddl-lock unlock <lock-id> [-o owner] [-f] [-a skip|exec] [-s source] [-d db] [-t table]")
            }
            var action: Components.Schemas.UnlockRequest.actionPayload?
            if let text = args.one("action") {
                guard let parsed = Components.Schemas.UnlockRequest.actionPayload(rawValue: text) else {
                    throw CtlError.usage("--action must be skip or exec, not \(text)")
                }
                action = parsed
            }
            let request = Components.Schemas.UnlockRequest(
                lock_id: args.positionals[0], owner: args.one("owner"), force_remove: args.has("force-remove") ? true : nil,
                action: action, source: args.one("source"), schema: args.one("database"), table: args.one("table"))
            let appended = try await self.client.unlockLock(request)
            return ["lock": args.positionals[0], "events": appended.events, "first_sequence": appended.first_sequence]
        }
        let args = try CtlArguments(rest, valued: ["source": ["-s", "--source"]])
        let locks = try await self.client.listLocks(task: args.positionals.first)
        return ["locks": locks.map { CtlOutput.tree($0) }]
    }

    func listMember(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(
            rest, valued: ["name": ["-n", "--name"]],
            switches: ["master": ["--master"], "worker": ["--worker"], "leader": ["--leader"]])
        let all = !args.has("master") && !args.has("worker") && !args.has("leader")
        let names = Set(args.all("name"))
        var members: [[String: Any]] = []
        if all || args.has("master") || args.has("leader") {
            let masters = try await self.client.listMasters().filter { names.isEmpty || names.contains($0.name) }
            if all || args.has("leader"), let leader = masters.first(where: \.leader) {
                members.append(["leader": ["msg": "", "name": leader.name, "addr": leader.address]])
            }
            if all || args.has("master") {
                members.append(["master": ["msg": "", "masters": masters.map { CtlOutput.tree($0) }]])
            }
        }
        if all || args.has("worker") {
            let workers = try await self.client.listWorkers().filter { names.isEmpty || names.contains($0.name) }
            members.append(["worker": ["msg": "", "workers": workers.map { w -> [String: Any] in
                ["name": w.name, "addr": w.address, "stage": w.stage.rawValue, "source": w.source ?? ""]
            }]])
        }
        return ["members": members]
    }

    func offlineMember(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(
            rest, valued: ["name": ["-n", "--name"]], switches: ["master": ["--master"], "worker": ["--worker"]])
        guard let name = args.one("name") else { throw CtlError.usage("offline-member --worker --name <name>") }
        guard args.has("worker"), !args.has("master") else {
            throw CtlError.failed("offline-member --master is not supported: masters leave through their own shutdown")
        }
        try await self.client.offlineWorker(name: name)
        return ["name": name]
    }

    func getConfig(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(rest)
        guard args.positionals.count == 2 else { throw CtlError.usage("get-config task|source <name>") }
        let name = args.positionals[1]
        switch args.positionals[0] {
        case "source":
            let source = try await self.client.getSource(name: name)
            return ["cfg": CtlOutput.tree(source.config), "source": name]
        case "task":
            // The API has no task-config endpoint yet; the status names the mode and subtasks.
            let status = try await self.client.getTask(name: name)
            return ["cfg": CtlOutput.tree(status), "task": name]
        case let other:
            throw CtlError.usage("get-config task|source <name>, not \(other)")
        }
    }

    /// One human line per subtask: `mysql-replica-01 Load 45.2% 12345/27300 rows 8120 rows/s ETA 2s`.
    static func progressLine(_ subtask: Components.Schemas.SubtaskView) -> String? {
        guard let status = subtask.status, let unit = status.unit else { return nil }
        var line = "\(subtask.source) \(unit) \(status.stage.rawValue)"
        if let percent = status.percent { line += String(format: " %.1f%%", percent) }
        if let rows = status.processed_rows {
            line += status.total_rows.map { " \(rows)/\($0) rows" } ?? " \(rows) rows"
        }
        if let rate = status.rows_per_second { line += String(format: " %.0f rows/s", rate) }
        if let eta = status.eta_seconds { line += String(format: " ETA %.0fs", eta) }
        if let error = status.error { line += " error: \(error)" }
        return line
    }

    static func subtasks(_ status: Components.Schemas.TaskStatus) -> [[String: Any]] {
        status.subtasks.map { s -> [String: Any] in
            ["source": s.source, "worker": s.worker ?? "", "stage": s.status?.stage.rawValue ?? s.expected_stage.rawValue]
        }
    }
}
