import API
import Foundation
import MasterClient

/// `binlog skip|replace|revert|list <task> [-s source ...] [-b file:pos] [sql ...]`, like dmctl `binlog`.
extension Ctl {
    static let binlogUsage = "binlog skip|replace|revert|list <task-name> [-s source ...] [-b file:pos] [<sql> ...]"

    func binlog(_ rest: [String]) async throws -> [String: Any] {
        let args = try CtlArguments(rest, valued: ["source": ["-s", "--source"], "position": ["-b", "--binlog-pos"]])
        guard args.positionals.count >= 2 else { throw CtlError.usage(Self.binlogUsage) }
        let op = args.positionals[0]
        let task = args.positionals[1]
        let statements = Array(args.positionals.dropFirst(2))
        let sources = args.all("source")
        let position = args.one("position")
        switch op {
        case "skip", "replace":
            if op == "skip", !statements.isEmpty { throw CtlError.usage("binlog skip takes no statements; \(Self.binlogUsage)") }
            if op == "replace", statements.isEmpty { throw CtlError.usage("binlog replace needs at least one statement; \(Self.binlogUsage)") }
            let status = try await self.client.getTask(name: task)
            let targets = try BinlogTargets.resolve(status, sources: sources, position: position)
            var results: [[String: Any]] = []
            for target in targets {
                let request = Components.Schemas.BinlogOperationRequest(
                    source: target.source, binlog_pos: target.position, action: op == "skip" ? .skip : .replace,
                    sqls: op == "skip" ? nil : statements)
                results.append(await Self.perSource(target.source) {
                    let set = try await self.client.setBinlogOperation(task: task, request)
                    return ["binlog_pos": set.binlog_pos, "op": set.action.rawValue, "sqls": set.sqls]
                })
            }
            return Self.combine(task: task, op: op, results)
        case "revert":
            guard statements.isEmpty else { throw CtlError.usage(Self.binlogUsage) }
            var addressed = sources
            if addressed.isEmpty {
                let operations = try await self.client.listBinlogOperations(task: task)
                addressed = Array(Set(operations.filter { position == nil || $0.binlog_pos == position }.map(\.source))).sorted()
                guard !addressed.isEmpty else {
                    throw CtlError.failed("task \(task) has no binlog operation\(position.map { " at \($0)" } ?? "") to revert")
                }
            }
            var results: [[String: Any]] = []
            for source in addressed {
                results.append(await Self.perSource(source) {
                    let removed = try await self.client.removeBinlogOperations(task: task, source: source, position: position)
                    return ["reverted": removed.map { CtlOutput.tree($0) }]
                })
            }
            return Self.combine(task: task, op: op, results)
        case "list":
            guard statements.isEmpty, position == nil else { throw CtlError.usage("binlog list <task-name> [-s source ...]") }
            let operations = try await self.client.listBinlogOperations(task: task, sources: sources)
            return ["task": task, "operations": operations.map { CtlOutput.tree($0) }]
        default:
            throw CtlError.usage("binlog skip|replace|revert|list, not \(op)")
        }
    }

    /// One source's answer in dmctl's per-source form; a refusal is reported there, not thrown.
    private static func perSource(_ source: String, _ body: () async throws -> [String: Any]) async -> [String: Any] {
        var entry: [String: Any] = ["source": source]
        do {
            entry.merge(try await body()) { _, new in new }
            entry["result"] = true
            entry["msg"] = ""
        } catch let error as MasterClientError {
            entry["result"] = false
            entry["msg"] = error.message
            entry["code"] = error.code
            if let field = error.field { entry["field"] = field }
        } catch {
            entry["result"] = false
            entry["msg"] = "\(error)"
        }
        return entry
    }

    private static func combine(task: String, op: String, _ results: [[String: Any]]) -> [String: Any] {
        let failed = results.filter { ($0["result"] as? Bool) != true }
        var reply: [String: Any] = ["task": task, "op": op, "sources": results]
        if !failed.isEmpty {
            reply["result"] = false
            reply["msg"] = "\(failed.count) of \(results.count) sources failed"
        }
        return reply
    }
}
