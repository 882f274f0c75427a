public import BinaryCoding

extension CodingUserInfoKey {
    /// Set to `true` in an encoder's `userInfo` to write passwords in clear text. Without it,
    /// `DatabaseConfig` encodes its password as `DatabaseConfig.redactedPassword`, so JSON
    /// export, the API and logs never leak a credential by accident.
    public static let braidIncludePasswords = CodingUserInfoKey(rawValue: "braid.includePasswords")!
}

/// A MySQL connection: DM's `from` in source.yaml and `target-database` in task.yaml.
///
/// The password is redacted in `description` and, by default, in `Codable` output. The binary
/// encoding keeps it, because source events must carry what a worker needs to connect.
public struct DatabaseConfig: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var user: String
    public var password: String

    public static let defaultPort: UInt16 = 3306
    public static let redactedPassword = "******"

    public init(host: String, port: UInt16 = Self.defaultPort, user: String, password: String = "") {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
    }

    /// A copy with the password replaced (an empty password stays empty: nothing to hide).
    public var redacted: DatabaseConfig {
        var copy = self
        if !copy.password.isEmpty { copy.password = Self.redactedPassword }
        return copy
    }

    public var description: String {
        "\(self.user)@\(self.host):\(self.port) (password \(self.redacted.password.isEmpty ? "empty" : Self.redactedPassword))"
    }

    static func read(_ map: inout YAMLMap, into warnings: inout [ConfigWarning]) throws(ConfigError) -> DatabaseConfig {
        let config = DatabaseConfig(
            host: try map.requiredString("host"),
            port: try map.integer("port", UInt16.self) ?? Self.defaultPort,
            user: try map.requiredString("user"),
            password: try map.string("password") ?? ""
        )
        map.ignore("max-allowed-packet", because: "not supported, ignored", into: &warnings)
        map.ignore("session", because: "session variables are not supported yet, ignored", into: &warnings)
        map.ignore("security", because: "TLS is not supported yet, ignored", into: &warnings)
        map.finish(into: &warnings)
        return config
    }

    private enum CodingKeys: String, CodingKey {
        case host, port, user, password
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.host = try c.decode(String.self, forKey: .host)
        self.port = try c.decode(UInt16.self, forKey: .port)
        self.user = try c.decode(String.self, forKey: .user)
        self.password = try c.decodeIfPresent(String.self, forKey: .password) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.host, forKey: .host)
        try c.encode(self.port, forKey: .port)
        try c.encode(self.user, forKey: .user)
        let clear = encoder.userInfo[.braidIncludePasswords] as? Bool == true
        try c.encode(clear ? self.password : self.redacted.password, forKey: .password)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeString(self.host)
        writer.write(UInt32(self.port))
        writer.writeString(self.user)
        writer.writeString(self.password)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.host = try reader.readString()
        let at = reader.offset
        guard let port = UInt16(exactly: try reader.read(UInt32.self)) else {
            throw BinaryDecodingError(.invalidValue, at: at, "port out of range")
        }
        self.port = port
        self.user = try reader.readString()
        self.password = try reader.readString()
    }
}
