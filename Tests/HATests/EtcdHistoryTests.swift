import BraidTestSupport
import Domain
import Etcd
import EventLog
import Foundation
import HA
import Leader
import Projections
import Synchronization
import Testing

/// A Jepsen-style history check of the fenced log: one writer appends uniquely tagged batches while
/// a seeded nemesis kills etcd members (one, or two for a quorum loss), hands leadership to the
/// other member mid-append, or does nothing. Each append's outcome is recorded as the client saw
/// it. Afterwards: every acknowledged batch is in the log exactly once at the sequences it was
/// acknowledged with, nothing is in the log that was not attempted, an unacknowledged batch is
/// there whole or not at all, terms never decrease, and both mirrors hold the same log.
extension HASuites {
@Suite(.serialized) struct EtcdHistoryTests {
    enum Outcome: Sendable { case acknowledged(Range<UInt64>), failed(String) }

    /// What the callers were told, command by command.
    final class Tally: Sendable {
        let acknowledged = Mutex<[String]>([])
        let failed = Mutex<[String]>([])
    }

    @Test func everyAcknowledgedAppendIsInTheLogExactlyOnce() async throws {
        var random = SeededRandom.fromEnvironment()
        let seed = random.seed
        let context = "seed \(seed) (rerun with BRAID_SEED=\(seed))"
        try await withEtcdCluster { etcd in
            let members = [try TestMember("a", etcd: etcd, cluster: "history"), try TestMember("b", etcd: etcd, cluster: "history")]
            var leader = 0
            var term = try await members[leader].lead()
            var history: [(payloads: [String], outcome: Outcome)] = []
            var quorumLosses = 0
            var nemesisLog: [String] = []

            for step in 0..<30 {
                let payloads = (0..<(1 + Int(random.next() % 3))).map { "s\(step)-\($0)" }
                let batch = payloads.enumerated().map { i, p in LogEntry(typeTag: 0x0101, payload: Array(p.utf8), timestamp: Int64(step * 10 + i)) }
                let roll = random.next() % 10
                let log = members[leader].log
                let appending = Task { [term, batch, log] () -> Outcome in
                    do {
                        return .acknowledged(try await log.append(batch, term: term))
                    } catch {
                        return .failed("\(error)")
                    }
                }
                // The nemesis acts while the append is in flight.
                var killed: [String] = []
                switch roll {
                case 0, 1:
                    let victim = "e\(1 + Int(random.next() % 3))"
                    etcd.kill(victim)
                    killed = [victim]
                case 2 where quorumLosses < 2:
                    quorumLosses += 1
                    let keep = 1 + Int(random.next() % 3)
                    killed = (1...3).filter { $0 != keep }.map { "e\($0)" }
                    for victim in killed { etcd.kill(victim) }
                case 3, 4:
                    await members[leader].elector.resign()
                default:
                    break
                }
                nemesisLog.append("step \(step): roll \(roll), killed \(killed)")
                history.append((payloads, await appending.value))
                for victim in killed { try etcd.restart(victim) }
                if !killed.isEmpty { #expect(try await etcd.waitHealthy(timeout: .seconds(60)), "\(context)") }

                // A member that no longer leads hands over to the other one, which takes over the log.
                if !members[leader].elector.isLeader || roll == 3 || roll == 4 {
                    members[leader].log.release()
                    await members[leader].elector.resign()
                    leader = 1 - leader
                    term = try await members[leader].lead()
                    nemesisLog.append("step \(step): \(members[leader].name) leads term \(term)")
                }
            }

            // Both mirrors catch up to etcd's head, and hold the same log.
            for member in members { try await member.log.catchUp() }
            let records = try members[leader].records()
            #expect(try members[1 - leader].records() == records, "mirrors differ, \(context)")
            #expect(zip(records, records.dropFirst()).allSatisfy { $0.term <= $1.term }, "terms decrease, \(context)")
            #expect(records.map(\.sequence) == Array(1...UInt64(records.count)), "sequence gap, \(context)")
            let payloadAt = Dictionary(uniqueKeysWithValues: records.map { ($0.sequence, String(decoding: $0.payload, as: UTF8.self)) })
            var seen: [String: Int] = [:]
            for record in records { seen[String(decoding: record.payload, as: UTF8.self), default: 0] += 1 }
            #expect(seen.values.allSatisfy { $0 == 1 }, "a record twice: \(seen.filter { $0.value > 1 }), \(context)")
            let attempted = Set(history.flatMap(\.payloads))
            #expect(Set(seen.keys).isSubset(of: attempted), "a record nobody appended, \(context)")

            var acknowledged = 0
            for (payloads, outcome) in history {
                switch outcome {
                case .acknowledged(let range):
                    acknowledged += 1
                    let stored = range.map { payloadAt[$0] ?? "<missing>" }
                    #expect(stored == payloads, "acknowledged at \(range) but the log holds \(stored), \(context)\n\(nemesisLog.joined(separator: "\n"))")
                case .failed(let why):
                    let present = payloads.filter { seen[$0] != nil }
                    #expect(present.isEmpty || present == payloads, "a failed batch is in the log in part: \(present) of \(payloads) (\(why)), \(context)")
                }
            }
            #expect(acknowledged >= 10, "only \(acknowledged) of \(history.count) appends were acknowledged: the nemesis left no service, \(context)")
        }
    }

    /// The same check through the leader loop with pipelined group commits: eight callers submit
    /// uniquely tagged commands to `EngineHost` over `EtcdLog` (several appends in flight) while
    /// the nemesis hands leadership over or kills etcd members. An acknowledged command is in the
    /// log exactly once; the engine's published state always equals a fold of its mirror.
    @Test func pipelinedGroupCommitsKeepEveryAcknowledgedCommandExactlyOnce() async throws {
        var random = SeededRandom.fromEnvironment()
        let seed = random.seed
        let context = "seed \(seed) (rerun with BRAID_SEED=\(seed))"
        try await withEtcdCluster { etcd in
            let members = [
                try TestMember("a", etcd: etcd, cluster: "pipeline", pipelineDepth: 4),
                try TestMember("b", etcd: etcd, cluster: "pipeline", pipelineDepth: 4),
            ]
            var leader = 0
            var term = try await members[leader].lead()
            var host = EngineHost(log: members[leader].log, warm: try ClusterState.rebuild(from: members[leader].log), term: term)
            let tally = Tally()
            var deepest = 0
            for round in 0..<8 {
                let current = host
                let submitters = Task { [tally] in
                    await withTaskGroup(of: Void.self) { group in
                        for caller in 0..<8 {
                            group.addTask {
                                var jitter = SeededRandom(seed: seed &+ UInt64(round * 8 + caller))
                                for i in 0..<6 {
                                    // Callers drift apart, so commands arrive while appends are in flight.
                                    try? await Task.sleep(for: .microseconds(Int64(jitter.next() % 3_000)))
                                    let tag = "r\(round)-c\(caller)-\(i)"
                                    do {
                                        try await current.execute(.record(.leader(.elected(term: 1, member: tag, at: 0))), now: 0)
                                        tally.acknowledged.withLock { $0.append(tag) }
                                    } catch {
                                        tally.failed.withLock { $0.append(tag) }
                                    }
                                }
                            }
                        }
                    }
                }
                var killed: [String] = []
                switch random.next() % 4 {
                case 0: await members[leader].elector.resign()
                case 1:
                    killed = ["e\(1 + Int(random.next() % 3))"]
                    etcd.kill(killed[0])
                default: break
                }
                await submitters.value
                for victim in killed { try etcd.restart(victim) }
                if !killed.isEmpty { #expect(try await etcd.waitHealthy(timeout: .seconds(60)), "\(context)") }
                deepest = max(deepest, await current.deepestPipeline)
                // What the engine published is exactly what its mirror folds to.
                let published = await current.state
                #expect(published == (try ClusterState.rebuild(from: members[leader].log)), "published state differs from the mirror's fold, \(context)")
                if !members[leader].elector.isLeader || round % 3 == 2 {
                    members[leader].log.release()
                    await members[leader].elector.resign()
                    leader = 1 - leader
                    term = try await members[leader].lead()
                    host = EngineHost(log: members[leader].log, warm: try ClusterState.rebuild(from: members[leader].log), term: term)
                }
            }
            for member in members { try await member.log.catchUp() }
            let records = try members[leader].records()
            #expect(try members[1 - leader].records() == records, "mirrors differ, \(context)")
            var seen: [String: Int] = [:]
            for record in records {
                guard let event = try? Event(typeTag: record.typeTag, payload: record.payload),
                      case .leader(.elected(_, let member, _)) = event else { continue }
                seen[member, default: 0] += 1
            }
            #expect(deepest > 1, "no two group commits were ever in flight together")
            let acked = tally.acknowledged.withLock { $0 }
            #expect(acked.count >= 48, "only \(acked.count) commands acknowledged (a round is 48), \(context)")
            for tag in acked { #expect(seen[tag] == 1, "acknowledged \(tag) is in the log \(seen[tag] ?? 0) times, \(context)") }
            #expect(seen.values.allSatisfy { $0 == 1 }, "a command twice, \(context)")
            #expect(Set(seen.keys).isSubset(of: Set(acked + tally.failed.withLock { $0 })), "a phantom command, \(context)")
        }
    }
}
}
