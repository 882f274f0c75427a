import CCRC32C

/// CRC-32C (Castagnoli), hardware-accelerated where the CPU allows.
public enum CRC32C {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        braid_crc32c(seed, bytes.baseAddress, bytes.count)
    }

    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { self.checksum($0, seed: seed) }
    }
}
