/// Why a binlog position or GTID set could not be parsed or combined.
public struct PositionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        /// The text is not in the expected syntax.
        case malformed
        /// A number is out of range or an interval is reversed.
        case outOfRange
        /// A MySQL and a MariaDB GTID set were combined.
        case flavorMismatch
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code.rawValue): \(self.message)" }
}
