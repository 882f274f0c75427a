/// An int64 (or uint64, by bit pattern) as the gateway writes it: proto3 JSON renders 64-bit integers as strings, but accepts
/// numbers too, so this decodes either and encodes a string.
public struct EtcdInt64: Codable, Sendable, Hashable, ExpressibleByIntegerLiteral {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }
    public init(integerLiteral value: Int64) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self.value = number
        } else {
            let text = try container.decode(String.self)
            // uint64 fields (cluster and member ids) keep their bits.
            guard let number = Int64(text) ?? UInt64(text).map({ Int64(bitPattern: $0) }) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an int64: \(text)")
            }
            self.value = number
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(self.value))
    }
}
