import BraidTestSupport
import Schema
import Testing

/// Seeded mutation fuzzing of the parser: whatever the input, it must return or throw a typed
/// error (never trap or hang), offsets must lie inside the input, and whatever parses must
/// survive a render/re-parse round trip. Replay a failure with `BRAID_SEED=<seed>`.
@Suite struct ParserFuzzTests {
    static let iterations = 20_000

    static let keywords = [
        "CREATE", "TABLE", "ALTER", "ADD", "DROP", "COLUMN", "INDEX", "KEY", "PRIMARY", "UNIQUE", "DEFAULT", "NULL",
        "NOT", "INT", "VARCHAR(10)", "(", ")", ",", "'x'", "`q`", "AFTER", "FIRST", "CHARACTER SET", "COLLATE",
        "AS", "(a+1)", "/*!40101", "*/", "--", "#", ";", "IF", "EXISTS", "MODIFY", "CHANGE", "RENAME", "TO",
        "ENUM('a')", "CURRENT_TIMESTAMP", "ON UPDATE", "PARTITION", "FOREIGN", "0x1", "b'1'", "-", "1.5e3", "\"",
        "\\", "`", "é", "\u{0}",
    ]

    @Test func mutatedCorpusNeverCrashes() {
        var random = SeededRandom.fromEnvironment()
        let seed = random.seed
        var parsed = 0
        var rejected = 0
        for iteration in 0..<Self.iterations {
            let original = validDDLCorpus[Int(random.next() % UInt64(validDDLCorpus.count))]
            let mutated = Self.mutate(original, &random)
            do {
                let statement = try DDLParser.parse(mutated)
                parsed += 1
                let rendered = statement.rendered()
                let reparsed = try? DDLParser.parse(rendered)
                #expect(reparsed == statement, "seed \(seed) iteration \(iteration): \(mutated)\n→ \(rendered)")
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= mutated.count, "seed \(seed) iteration \(iteration): \(error)")
                #expect(!error.construct.isEmpty, "seed \(seed) iteration \(iteration)")
            }
        }
        #expect(parsed + rejected == Self.iterations, "seed \(seed)")
        #expect(rejected > 0 && parsed > 0, "seed \(seed): mutations should both break and keep statements")
    }

    static func mutate(_ sql: String, _ random: inout SeededRandom) -> String {
        let rounds = 1 + Int(random.next() % 3)
        var bytes = Array(sql.utf8)
        for _ in 0..<rounds {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 7 {
            case 0:  // truncate
                bytes = Array(bytes[0..<position])
            case 1:  // delete a range
                let end = min(bytes.count, position + 1 + Int(random.next() % 8))
                bytes.removeSubrange(position..<end)
            case 2:  // insert random bytes
                for _ in 0..<(1 + random.next() % 4) { bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position) }
            case 3:  // swap two bytes
                if !bytes.isEmpty { bytes.swapAt(position, Int(random.next() % UInt64(bytes.count))) }
            default:  // token-level edits
                var tokens = String(decoding: bytes, as: UTF8.self).split(separator: " ").map(String.init)
                let i = tokens.isEmpty ? 0 : Int(random.next() % UInt64(tokens.count))
                switch random.next() % 4 {
                case 0: if !tokens.isEmpty { tokens.remove(at: i) }
                case 1: tokens.insert(Self.keywords[Int(random.next() % UInt64(Self.keywords.count))], at: i)
                case 2: if !tokens.isEmpty { tokens.swapAt(i, Int(random.next() % UInt64(tokens.count))) }
                default: if !tokens.isEmpty { tokens.insert(tokens[i], at: i) }
                }
                bytes = Array(tokens.joined(separator: " ").utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
