/// Why a source or task configuration was refused. The message names the field path, the way
/// an operator reads the file: `mysql-instances[1].route-rules[0]: unknown route "r9"`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        /// The text is not YAML; `line`/`column` locate the problem.
        case malformedYAML
        /// A required field is absent or empty.
        case missingField
        /// A field has the wrong type or a value outside its domain.
        case invalidValue
        /// A name refers to a rule (route, filter, block-allow list, ...) that is not defined.
        case unknownReference
        /// A key or id appears twice.
        case duplicate
        /// Strict loading: keys Braid does not know or ignores (DM's strict YAML parsing refuses unknown keys).
        case unsupportedKey
    }

    public var code: Code
    /// Dotted field path such as `mysql-instances[0].meta.binlog-pos`; empty for the document.
    public var path: String
    public var message: String
    /// 1-based location in the YAML text, when known.
    public var line: Int?
    public var column: Int?

    public init(_ code: Code, path: String, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = self.path.isEmpty ? self.message : "\(self.path): \(self.message)"
        if let line = self.line, let column = self.column { text += " (line \(line), column \(column))" }
        return text
    }
}

/// Something in a configuration that Braid accepted but will not act on: an unknown key, a DM
/// feature Braid does not implement (relay log, purge, checker), a legacy spelling.
public struct ConfigWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whether the warning is about a key Braid will not act on (what strict loading refuses).
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A key neither DM nor Braid knows.
        case unknownKey
        /// A DM key Braid reads but does not implement.
        case ignoredKey
        /// Anything else: a legacy spelling, a setting that has no effect in this combination.
        case note
    }

    public var path: String
    public var message: String
    public var kind: Kind

    public init(path: String, _ message: String, kind: Kind = .note) {
        self.path = path
        self.message = message
        self.kind = kind
    }

    public var description: String { "\(self.path): \(self.message)" }
}

/// A parsed configuration with the warnings collected while reading it.
public struct LoadedConfig<Config: Sendable & Hashable>: Sendable, Hashable {
    public var config: Config
    public var warnings: [ConfigWarning]

    public init(config: Config, warnings: [ConfigWarning]) {
        self.config = config
        self.warnings = warnings
    }

    /// The config, or, when `strict`, a refusal naming every key Braid does not know or ignores.
    public func checked(strict: Bool) throws(ConfigError) -> Config {
        guard strict else { return self.config }
        let keys = self.warnings.filter { $0.kind != .note }.map(\.path)
        guard keys.isEmpty else {
            throw ConfigError(
                .unsupportedKey, path: "",
                "strict: \(keys.count == 1 ? "a key" : "keys") Braid does not know or ignores: \(keys.joined(separator: ", "))")
        }
        return self.config
    }
}
