import Domain
import EventLog

/// `braid log audit lock|task|source ID`: the causal history of one subject.
///
/// The leader appends a command's fact and the decisions it caused in one group, so consecutive
/// records with the same timestamp and term are one step; the audit prints them as such, which
/// answers "which Info created this lock, what was decided, who unlocked".
public struct LogAudit {
    public enum Kind: String, CaseIterable, Sendable {
        case lock, task, source, worker
    }

    public struct Step: Sendable {
        public var records: [(sequence: UInt64, term: UInt64, timestamp: Int64, event: Event)]
    }

    public static func matches(_ event: Event, kind: Kind, id: String) -> Bool {
        event.subjects.contains { subject in
            switch (subject, kind) {
            case (.lock(let v), .lock): v == id
            case (.task(let v), .task): v == id
            case (.source(let v), .source): v == id
            case (.worker(let v), .worker): v == id
            case (.lock(let v), .task): LockID(v).components?.task.rawValue == id
            case (.lock, _), (.task, _), (.source, _), (.worker, _): false
            }
        }
    }

    /// Groups matching records into steps (same term and timestamp, adjacent sequences).
    public static func steps(in log: LMDBLog, kind: Kind, id: String) throws -> [Step] {
        var steps: [Step] = []
        try log.forEachRecord(in: log.firstSequence...UInt64.max) { record in
            guard let event = try? Event(typeTag: record.typeTag, payload: record.payload),
                  matches(event, kind: kind, id: id) else { return true }
            let item = (record.sequence, record.term, record.timestamp, event)
            if let previous = steps.last?.records.last, previous.term == record.term,
               previous.timestamp == record.timestamp, previous.sequence + 1 == record.sequence {
                steps[steps.count - 1].records.append(item)
            } else {
                steps.append(Step(records: [item]))
            }
            return true
        }
        return steps
    }

    public static func render(_ steps: [Step], kind: Kind, id: String, write: (String) -> Void) {
        guard !steps.isEmpty else {
            write("no events concern \(kind.rawValue) \(id)")
            return
        }
        write("history of \(kind.rawValue) \(id): \(steps.reduce(0) { $0 + $1.records.count }) events in \(steps.count) steps")
        for (index, step) in steps.enumerated() {
            guard let first = step.records.first else { continue }
            write("step \(index + 1) at \(RecordFormatter.isoTime(first.timestamp)) (term \(first.term))")
            for (i, item) in step.records.enumerated() {
                let role = i == 0 ? "fact    " : "decision"
                write("  \(role) #\(item.sequence) \(item.event.name) \(RecordFormatter.compactJSON(item.event.body))")
            }
        }
    }
}
