import BinaryCoding
import Testing

@Suite struct ByteReaderTests {
    @Test func varintsRoundTripAndRejectOverlongOrTruncated() throws {
        var writer = ByteWriter()
        let values: [UInt64] = [0, 1, 127, 128, 300, 1 << 35, UInt64.max]
        for v in values { writer.writeVarUInt(v) }
        var reader = ByteReader(writer.bytes)
        for v in values { #expect(try reader.readVarUInt() == v) }
        #expect(reader.isAtEnd)

        var truncated = ByteReader([0x80, 0x80])
        #expect(throws: BinaryDecodingError.self) { try truncated.readVarUInt() }
        var overlong = ByteReader(Array(repeating: 0x80, count: 11) + [0])
        #expect(throws: BinaryDecodingError.self) { try overlong.readVarUInt() }
    }

    @Test func internedAndMemoizedDecodingEqualsPlainDecoding() throws {
        let long = "a string longer than fifteen bytes"
        let set: Set<String> = ["mysql-replica-01", "mysql-replica-02", "mysql-replica-03", "mysql-replica-04", "x"]
        var writer = ByteWriter()
        for _ in 0..<3 {
            writer.writeString(long)
            writer.writeSet(set)
            writer.writeString("short")
        }
        writer.writeSet(Set(["a", "b", "c", "d", "e"]))
        let bytes = writer.bytes
        let interner = StringInterner()
        try bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(unsafeBytes: buffer, interner: interner)
            for _ in 0..<3 {
                #expect(try reader.readString() == long)
                #expect(try reader.readSet(String.self) == set)
                #expect(try reader.readString() == "short")
            }
            #expect(try reader.readSet(String.self) == Set(["a", "b", "c", "d", "e"]))
            try reader.expectEnd()
        }
        #expect(interner.count >= 1)
    }

    @Test func corruptInputThrowsInsteadOfTrapping() {
        var writer = ByteWriter()
        writer.writeSet(Set(["mysql-replica-01", "mysql-replica-02", "mysql-replica-03", "mysql-replica-04"]))
        let good = writer.bytes
        let interner = StringInterner()
        // Every truncation and every single-byte corruption either decodes or throws.
        for cut in 0..<good.count {
            let prefix = Array(good[..<cut])
            prefix.withUnsafeBytes { buffer in
                var reader = ByteReader(unsafeBytes: buffer, interner: interner)
                #expect(throws: BinaryDecodingError.self) { try reader.readSet(String.self) }
            }
        }
        for i in good.indices {
            var bad = good
            bad[i] ^= 0xFF
            bad.withUnsafeBytes { buffer in
                var reader = ByteReader(unsafeBytes: buffer, interner: interner)
                _ = try? reader.readSet(String.self)
            }
        }
    }
}
