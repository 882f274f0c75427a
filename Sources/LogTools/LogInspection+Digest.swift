import EventLog

extension LogInspection {
    /// A CRC32C chained over every record's sequence, term, timestamp, type and payload: two
    /// masters' mirrors hold the same log exactly when their digests (and ranges) are equal.
    /// Unlike `braid log export`, it does not depend on how a process orders sets in JSON.
    /// Records outside `from...through` are left out, so mirrors can be compared over a shared range.
    public static func digest(
        log: some LogStore, from: UInt64 = 1, through: UInt64 = .max
    ) throws(EventLogError) -> (first: UInt64, last: UInt64, digest: UInt32) {
        var crc: UInt32 = 0
        let first = max(from, try log.firstSequence)
        var last: UInt64 = 0
        guard first <= through else { return (first, 0, 0) }
        try log.forEachRawRecord(in: first...through) { record in
            var header = [UInt8]()
            header.reserveCapacity(26)
            for value in [record.sequence, record.term, UInt64(bitPattern: record.timestamp)] {
                withUnsafeBytes(of: value.bigEndian) { header.append(contentsOf: $0) }
            }
            withUnsafeBytes(of: record.typeTag.bigEndian) { header.append(contentsOf: $0) }
            crc = CRC32C.checksum(header, seed: crc)
            crc = CRC32C.checksum(record.payload, seed: crc)
            last = record.sequence
            return true
        }
        return (first, last, crc)
    }
}
