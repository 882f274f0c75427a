import EventLog
import HA
import Testing

@Suite struct LogChunkTests {
    @Test func roundTripsEveryField() throws {
        var entries: [LogEntry] = []
        for i in 0..<50 {
            let payload: [UInt8] = (0..<(i * 3)).map { (j: Int) -> UInt8 in UInt8(truncatingIfNeeded: j &* 31 &+ i) }
            entries.append(LogEntry(typeTag: UInt16(0x0100 + i % 7), payload: payload, timestamp: 1_700_000_000_000 + Int64(i)))
        }
        let chunk = LogChunk(firstSequence: 1234, term: 987, batchID: 42, entries: entries)
        let decoded = try LogChunk(decoding: chunk.encoded(), key: "k")
        #expect(decoded == chunk)
        #expect(decoded.lastSequence == 1283)
    }

    @Test func refusesAFlippedByteNamingTheKey() {
        let chunk = LogChunk(firstSequence: 1, term: 1, batchID: 7, entries: [LogEntry(typeTag: 1, payload: [1, 2, 3], timestamp: 5)])
        var bytes = chunk.encoded()
        bytes[bytes.count / 2] ^= 0x40
        #expect {
            _ = try LogChunk(decoding: bytes, key: "/braid/x/log/c/0000000000000001")
        } throws: { error in
            guard let error = error as? EventLogError else { return false }
            return error.code == .corruptRecord && error.message.contains("/braid/x/log/c/0000000000000001")
        }
    }

    @Test func chunkKeysSortBySequence() {
        let keys = EtcdKeys(cluster: "c")
        let sequences: [UInt64] = [1, 9, 10, 255, 256, 70_000, 1 << 40]
        let sorted = sequences.map { keys.chunk(firstSequence: $0) }
        #expect(sorted == sorted.sorted())
        #expect(EtcdKeys.end(of: "/braid/c/log/c/") == "/braid/c/log/c0")
    }
}
