import Domain
import Foundation

/// A golden corpus of encoded events (issue 11): the bytes today's codec writes for one value of
/// every event case, committed as text (`name tag payload` per line, hex). A codec rewrite must
/// decode every line and re-encode it byte for byte, and still encode the samples to these bytes.
///
/// `BRAID_GOLDEN_WRITE=1` rewrites the file from the samples; do that only for a deliberate,
/// versioned format change.
public enum GoldenEvents {
    public struct Line: Sendable, Equatable {
        public var name: String
        public var typeTag: UInt16
        public var payload: [UInt8]

        var text: String { "\(self.name) \(String(format: "%04x", self.typeTag)) \(self.payload.map { String(format: "%02x", $0) }.joined())" }

        init(_ event: Event) {
            self.name = event.name
            self.typeTag = event.typeTag
            self.payload = event.encodedPayload()
        }

        init?(text: Substring) {
            let fields = text.split(separator: " ")
            guard fields.count == 3, let tag = UInt16(fields[1], radix: 16), fields[2].count % 2 == 0 else { return nil }
            var bytes: [UInt8] = []
            var index = fields[2].startIndex
            while index < fields[2].endIndex {
                let next = fields[2].index(index, offsetBy: 2)
                guard let byte = UInt8(fields[2][index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            self.name = String(fields[0])
            self.typeTag = tag
            self.payload = bytes
        }
    }

    /// Checks `samples` against the corpus `file` in the `Golden` folder beside `sourceFile`;
    /// returns every problem found (empty: the corpus holds).
    public static func check(_ samples: [Event], file: String, sourceFile: String = #filePath) throws -> [String] {
        let path = (sourceFile as NSString).deletingLastPathComponent + "/Golden/" + file
        let current = samples.map(Line.init)
        if ProcessInfo.processInfo.environment["BRAID_GOLDEN_WRITE"] == "1" {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try (current.map(\.text).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var problems: [String] = []
        var golden: [Line] = []
        for (number, row) in text.split(separator: "\n").enumerated() {
            guard let line = Line(text: row) else {
                problems.append("\(file):\(number + 1): not `name tag payload`")
                continue
            }
            golden.append(line)
            // Decode, then re-encode byte for byte, with the same name.
            do {
                let event = try Event(typeTag: line.typeTag, payload: line.payload)
                let again = Line(event)
                if again != line { problems.append("\(file):\(number + 1): \(line.name) re-encodes as \(again.text)") }
            } catch {
                problems.append("\(file):\(number + 1): \(line.name) no longer decodes: \(error)")
            }
        }
        if golden.count != current.count {
            problems.append("\(file) holds \(golden.count) events, the samples are \(current.count)")
        }
        for (line, sample) in zip(golden, current) where line != sample {
            problems.append("sample \(sample.name) encodes as \(sample.text), the corpus says \(line.text)")
        }
        return problems
    }

    /// The whole check for one test: every case tag of `categories` has a sample, and the corpus
    /// `file` holds (see `check`). Empty when both hold.
    public static func problems(
        _ samples: [Event], categories: [Event.Category], file: String, sourceFile: String = #filePath
    ) throws -> [String] {
        Self.uncovered(samples, categories: categories) + (try Self.check(samples, file: file, sourceFile: sourceFile))
    }

    /// Every case tag `category` decodes today: the tags whose empty payload is not refused as an
    /// unknown tag. The corpus must hold each of them.
    public static func knownTags(_ category: Event.Category) -> Set<UInt8> {
        var tags: Set<UInt8> = []
        for tag in UInt8.min...UInt8.max {
            let typeTag = UInt16(category.rawValue) << 8 | UInt16(tag)
            do {
                _ = try Event(typeTag: typeTag, payload: [Event.codecVersion])
                tags.insert(tag)
            } catch {
                if !"\(error)".contains("unknown") { tags.insert(tag) }
            }
        }
        return tags
    }

    /// The categories whose every known tag `samples` do not cover, with the missing tags.
    public static func uncovered(_ samples: [Event], categories: [Event.Category]) -> [String] {
        categories.compactMap { category in
            let covered = Set(samples.filter { $0.category == category }.map { UInt8(truncatingIfNeeded: $0.typeTag) })
            let missing = knownTags(category).subtracting(covered)
            return missing.isEmpty ? nil : "\(category): no sample for case tags \(missing.sorted())"
        }
    }
}
