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
            let from = input.query.from ?? 1
            guard from >= 1 else { throw .badRequest("must be at least 1", field: "from") }
            let limit = input.query.limit ?? Self.defaultLogLimit
            guard (1...10_000).contains(limit) else { throw .badRequest("must be in 1...10000", field: "limit") }
            let records: [LogRecord]
            do {
                records = try self.host.log.records(from: UInt64(from), limit: limit)
            } catch {
                throw APIFailure(status: 503, code: "unavailable", message: "log: \(error)")
            }
            return .ok(.init(body: .json(records.map(Self.logRecord))))
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
            let state: ClusterState
            if let seq = input.query.seq {
                guard seq >= 0 else { throw .badRequest("must not be negative", field: "seq") }
                guard UInt64(seq) <= live.lastSequence else {
                    throw .notFound("sequence \(seq) is past the end of the log (\(live.lastSequence))")
                }
                do {
                    state = try ClusterState.rebuild(from: self.host.log, through: UInt64(seq))
                } catch {
                    throw APIFailure(status: 503, code: "unavailable", message: "rebuild: \(error)")
                }
            } else {
                state = live
            }
            do {
                let json = try LogInspection.json(state)
                var object = try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(json.utf8))
                // The JSON is not canonical (hash-ordered maps); the digest of the binary encoding is.
                var fields = object.value
                fields["digest"] = LogInspection.digest(state)
                try object.setValue(validating: fields)
                return .ok(.init(body: .json(.init(additionalProperties: object))))
            } catch {
                throw APIFailure(status: 503, code: "unavailable", message: "encoding the state: \(error)")
            }
        }
    }
}
