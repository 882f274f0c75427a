import API
import EventLog
import Foundation
import LogTools
import OpenAPIRuntime
import Projections

/// The log: records from a sequence (as `braid log export` prints them) and the state at a
/// sequence. Both go through `Codable` forms that redact passwords.
extension MasterAPI {
    static let defaultLogLimit = 100

    public func readLog(_ input: Operations.readLog.Input) async throws -> Operations.readLog.Output {
        await self.answer("readLog", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            .ok(.init(body: .json(try Self.logPage(self.host.log, from: input.query.from, limit: input.query.limit))))
        }
    }

    /// `GET /api/v1/log` on any log: the leader's, or a follower's mirror.
    static func logPage(_ log: some LogStore, from: Int64?, limit: Int?) throws(APIFailure) -> [Components.Schemas.LogRecord] {
        let from = from ?? 1
        guard from >= 1 else { throw .badRequest("must be at least 1", field: "from") }
        let limit = limit ?? Self.defaultLogLimit
        guard (1...10_000).contains(limit) else { throw .badRequest("must be in 1...10000", field: "limit") }
        do {
            return try log.records(from: UInt64(from), limit: limit).map(Self.logRecord)
        } catch {
            throw APIFailure(status: 503, code: "unavailable", message: "log: \(error)")
        }
    }

    /// One record in `braid log export`'s JSON shape.
    static func logRecord(_ record: LogRecord) -> Components.Schemas.LogRecord {
        let line = RecordFormatter.jsonLine(record)
        if let decoded = try? JSONDecoder().decode(Components.Schemas.LogRecord.self, from: Data(line.utf8)) {
            return decoded
        }
        return Components.Schemas.LogRecord(
            seq: Int64(record.sequence), term: Int64(record.term), time: RecordFormatter.isoTime(record.timestamp),
            _type: "undecodable:\(record.typeTag)")
    }

    public func stateAt(_ input: Operations.stateAt.Input) async throws -> Operations.stateAt.Output {
        await self.answer("stateAt", { .default(statusCode: $0, $1) }) { () throws(APIFailure) in
            let live = await self.state
            let state = try Self.state(of: self.host.log, at: input.query.seq, live: live)
            return .ok(.init(body: .json(.init(additionalProperties: try Self.stateDocument(state)))))
        }
    }

    /// The state at `seq` folded from `log`, or `live` (the newest) without one.
    static func state(of log: some LogStore, at seq: Int64?, live: ClusterState) throws(APIFailure) -> ClusterState {
        guard let seq else { return live }
        guard seq >= 0 else { throw .badRequest("must not be negative", field: "seq") }
        guard UInt64(seq) <= live.lastSequence else {
            throw .notFound("sequence \(seq) is past the end of the log (\(live.lastSequence))")
        }
        do {
            return try ClusterState.rebuild(from: log, through: UInt64(seq))
        } catch {
            throw APIFailure(status: 503, code: "unavailable", message: "rebuild: \(error)")
        }
    }

    /// `GET /api/v1/log/state`'s body: the state as JSON plus the digest of its canonical encoding.
    static func stateDocument(_ state: ClusterState) throws(APIFailure) -> OpenAPIObjectContainer {
        do {
            let json = try LogInspection.json(state)
            var object = try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(json.utf8))
            // The JSON is not canonical (hash-ordered maps); the digest of the binary encoding is.
            var fields = object.value
            fields["digest"] = LogInspection.digest(state)
            try object.setValue(validating: fields)
            return object
        } catch {
            throw APIFailure(status: 503, code: "unavailable", message: "encoding the state: \(error)")
        }
    }
}
