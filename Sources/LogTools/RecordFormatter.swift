import Domain
import EventLog
import Foundation

/// Renders log records for people (one line each) and for machines (JSON lines).
public enum RecordFormatter {
    /// Decodes a record's event, or returns the decoding error as text.
    public static func decode(_ record: LogRecord) -> Result<Event, any Error> {
        Result { try Event(typeTag: record.typeTag, payload: record.payload) }
    }

    /// Built once: show, export and audit format every record.
    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func isoTime(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(Self.timeStyle)
    }

    /// `#42 t3 2026-11-22T04:31:00.000Z pessimism.infoReported {…}`
    public static func line(_ record: LogRecord) -> String {
        let prefix = "#\(record.sequence) t\(record.term) \(isoTime(record.timestamp))"
        switch decode(record) {
        case .success(let event):
            return "\(prefix) \(event.name) \(compactJSON(event.body))"
        case .failure(let error):
            return "\(prefix) <undecodable type 0x\(String(record.typeTag, radix: 16)), \(record.payload.count) bytes: \(error)>"
        }
    }

    /// One JSON object per record: seq, term, time, type and the event's fields.
    public static func jsonLine(_ record: LogRecord) -> String {
        let encoder = Self.encoder
        var object = "{\"seq\":\(record.sequence),\"term\":\(record.term),\"time\":\"\(isoTime(record.timestamp))\""
        switch decode(record) {
        case .success(let event):
            let body = (try? encoder.encode(AnyEncodable(event.body))).map { String(decoding: $0, as: UTF8.self) } ?? "null"
            object += ",\"type\":\"\(event.name)\",\"event\":\(body)}"
        case .failure(let error):
            let message = String(describing: error).replacingOccurrences(of: "\"", with: "'")
            object += ",\"type\":null,\"typeTag\":\(record.typeTag),\"error\":\"\(message)\"}"
        }
        return object
    }

    static func compactJSON(_ value: any Encodable) -> String {
        (try? Self.encoder.encode(AnyEncodable(value))).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }
}

/// Lets an existential be handed to `JSONEncoder`.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try self.value.encode(to: encoder) }
}
