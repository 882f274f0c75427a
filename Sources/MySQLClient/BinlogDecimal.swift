/// DECIMAL's binlog (and on-disk) format: the integer and fraction digits in groups of nine
/// decimal digits per 4 big-endian bytes, a shorter leading/trailing group for the remainder, the
/// sign in the top bit of the first byte (set = positive) and every byte inverted for negatives.
enum BinlogDecimal {
    /// Bytes needed for 0...9 leftover digits.
    private static let bytesForDigits: [Int] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]
    private static let powersOfTen: [UInt32] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    static func storageSize(precision: Int, scale: Int) -> Int {
        let integerDigits = precision - scale
        return integerDigits / 9 * 4 + bytesForDigits[integerDigits % 9] + scale / 9 * 4 + bytesForDigits[scale % 9]
    }

    /// The exact text (`-123.4500`) of the `storageSize` bytes at `bytes[offset...]`; nil if a
    /// digit group is out of range (malformed input).
    static func text(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, precision: Int, scale: Int) -> String? {
        let size = storageSize(precision: precision, scale: scale)
        let negative = bytes[offset] & 0x80 == 0
        let mask: UInt8 = negative ? 0xFF : 0x00
        var position = offset
        // Reads `count` bytes big-endian, undoing the sign flip of the first byte and the inversion.
        func group(_ count: Int) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<count {
                var byte = bytes[position] ^ mask
                if position == offset { byte ^= 0x80 }
                value = value << 8 | UInt32(byte)
                position += 1
            }
            return value
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(precision + 2)
        func append(_ value: UInt32, width: Int) {
            var divisor = powersOfTen[width - 1]
            var rest = value
            for _ in 0..<width {
                digits.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        let integerDigits = precision - scale
        let leading = integerDigits % 9
        if leading > 0 {
            let value = group(bytesForDigits[leading])
            guard value < powersOfTen[leading] else { return nil }
            append(value, width: leading)
        }
        for _ in 0..<integerDigits / 9 {
            let value = group(4)
            guard value < 1_000_000_000 else { return nil }
            append(value, width: 9)
        }
        let integerEnd = digits.count
        for _ in 0..<scale / 9 {
            let value = group(4)
            guard value < 1_000_000_000 else { return nil }
            append(value, width: 9)
        }
        let trailing = scale % 9
        if trailing > 0 {
            let value = group(bytesForDigits[trailing])
            guard value < powersOfTen[trailing] else { return nil }
            append(value, width: trailing)
        }
        assert(position - offset == size)
        var firstSignificant = 0
        while firstSignificant < integerEnd - 1 && digits[firstSignificant] == UInt8(ascii: "0") { firstSignificant += 1 }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + 2)
        if negative && digits.contains(where: { $0 != UInt8(ascii: "0") }) { out.append(UInt8(ascii: "-")) }
        if integerEnd == 0 {
            out.append(UInt8(ascii: "0"))
        } else {
            out.append(contentsOf: digits[firstSignificant..<integerEnd])
        }
        if scale > 0 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[integerEnd...])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
