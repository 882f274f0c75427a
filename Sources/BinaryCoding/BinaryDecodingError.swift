/// Why a byte sequence could not be decoded.
///
/// Decoding errors name the offset and what was expected, so a corrupt record can be located
/// without a debugger.
public struct BinaryDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The input ended before the value did.
        case truncated
        /// A discriminator or length had a value no encoder writes.
        case invalidValue
        /// The payload was written by a codec version this build does not read.
        case unsupportedVersion
        /// Bytes remained after the value was fully decoded.
        case trailingBytes
    }

    public var code: Code
    public var offset: Int
    public var message: String

    public init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(self.code) at byte \(self.offset): \(self.message)" }
}
