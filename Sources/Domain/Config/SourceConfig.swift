public import BinaryCoding

/// An upstream MySQL/MariaDB server, loaded from DM's `source.yaml`.
///
/// Braid reads the fields it implements and records the rest as warnings: `enable-relay` is kept
/// (so `braid ctl` can say relay was asked for) but relay logs are not supported; `purge` and
/// `checker` belong to the relay log and DM's task checker and are ignored.
public struct SourceConfig: Sendable, Hashable, Codable, BinaryCodable, CustomStringConvertible {
    public var sourceID: SourceID
    public var enableGTID: Bool
    /// `nil` means "detect when connecting", as DM does when `flavor` is empty.
    public var flavor: DatabaseFlavor?
    /// The replica server id Braid uses on the binlog stream; `nil` lets the worker pick one.
    public var serverID: UInt32?
    public var from: DatabaseConfig
    /// Accepted for DM compatibility; Braid has no relay log, so this is only recorded.
    public var enableRelay: Bool

    public init(
        sourceID: SourceID,
        enableGTID: Bool = false,
        flavor: DatabaseFlavor? = nil,
        serverID: UInt32? = nil,
        from: DatabaseConfig,
        enableRelay: Bool = false
    ) {
        self.sourceID = sourceID
        self.enableGTID = enableGTID
        self.flavor = flavor
        self.serverID = serverID
        self.from = from
        self.enableRelay = enableRelay
    }

    /// A copy safe to print or return from the API.
    public var redacted: SourceConfig {
        var copy = self
        copy.from = copy.from.redacted
        return copy
    }

    public var description: String {
        "source \(self.sourceID) from \(self.from) flavor=\(self.flavor?.rawValue ?? "auto") gtid=\(self.enableGTID)"
    }

    /// Parses a DM `source.yaml`.
    /// - Throws: `ConfigError` naming the field path, or line and column for malformed YAML.
    public static func load(yaml: String) throws(ConfigError) -> LoadedConfig<SourceConfig> {
        var warnings: [ConfigWarning] = []
        var root = try YAMLMap.document(yaml)
        let sourceID = try root.requiredString("source-id")
        let flavorText = try root.string("flavor") ?? ""
        let flavor: DatabaseFlavor?
        if flavorText.isEmpty {
            flavor = nil
        } else if let f = DatabaseFlavor(rawValue: flavorText.lowercased()) {
            flavor = f
        } else {
            throw ConfigError(.invalidValue, path: "flavor", "expected mysql|mariadb, got \"\(flavorText)\"")
        }
        let serverID = try root.integer("server-id", UInt32.self)
        guard var fromMap = try root.map("from") else { throw ConfigError(.missingField, path: "from", "is required") }
        let from = try DatabaseConfig.read(&fromMap, into: &warnings)
        let enableRelay = try root.bool("enable-relay") ?? false
        if enableRelay {
            warnings.append(
                ConfigWarning(
                    path: "enable-relay", "relay log is not supported; the source binlog is read directly", kind: .ignoredKey)
            )
        }
        let config = SourceConfig(
            sourceID: SourceID(sourceID),
            enableGTID: try root.bool("enable-gtid") ?? false,
            flavor: flavor,
            serverID: serverID == 0 ? nil : serverID,
            from: from,
            enableRelay: enableRelay
        )
        for key in ["purge", "checker", "relay-dir", "relay-binlog-name", "relay-binlog-gtid"] {
            root.ignore(key, because: "relay log and checker settings are not supported, ignored", into: &warnings)
        }
        root.ignore("case-sensitive", because: "not supported, ignored", into: &warnings)
        root.ignore(
            "filters",
            because: "source-level binlog filters are not supported, use task filters",
            into: &warnings
        )
        root.finish(into: &warnings)
        return LoadedConfig(config: config, warnings: warnings)
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(self.sourceID)
        writer.writeBool(self.enableGTID)
        writer.writeOptional(self.flavor)
        writer.writeOptional(self.serverID)
        writer.write(self.from)
        writer.writeBool(self.enableRelay)
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        self.sourceID = try reader.read()
        self.enableGTID = try reader.readBool()
        self.flavor = try reader.readOptional()
        self.serverID = try reader.readOptional()
        self.from = try reader.read()
        self.enableRelay = try reader.readBool()
    }
}
