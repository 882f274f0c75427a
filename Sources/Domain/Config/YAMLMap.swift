import Foundation
import Yams

/// Reads one YAML mapping field by field, tracking the field path for errors and the keys
/// that were read, so that everything left over becomes an "unknown key" warning.
///
/// Reading from Yams' node tree (rather than `Decodable`) keeps line numbers for errors and
/// lets unknown keys be warnings instead of failures, as DM's own loader is lenient.
struct YAMLMap {
    let path: String
    private let pairs: [(key: String, value: Node)]
    private var used: Set<String> = []

    init(_ node: Node, path: String) throws(ConfigError) {
        guard case .mapping(let mapping) = node else {
            throw Self.error(.invalidValue, path, "expected a mapping, got \(Self.kind(node))", node)
        }
        self.path = path
        var pairs: [(key: String, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw Self.error(.invalidValue, path, "keys must be scalars", keyNode)
            }
            guard seen.insert(key.string).inserted else {
                throw Self.error(
                    .duplicate,
                    path.isEmpty ? key.string : "\(path).\(key.string)",
                    "key appears twice",
                    keyNode
                )
            }
            pairs.append((key.string, value))
        }
        self.pairs = pairs
    }

    /// Parses a whole document; an empty document is an empty mapping.
    static func document(_ yaml: String) throws(ConfigError) -> YAMLMap {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw Self.syntaxError(error)
        } catch {
            throw ConfigError(.malformedYAML, path: "", "\(error)")
        }
        return try YAMLMap(root ?? Node([(Node, Node)]()), path: "")
    }

    private static func syntaxError(_ error: YamlError) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ConfigError(
                .malformedYAML,
                path: "",
                "malformed YAML: \(problem)",
                line: mark.line,
                column: mark.column
            )
        case .reader(let problem, _, _, _):
            return ConfigError(.malformedYAML, path: "", "malformed YAML: \(problem)")
        case .no, .memory, .writer, .emitter, .representer, .dataCouldNotBeDecoded:
            return ConfigError(.malformedYAML, path: "", "malformed YAML: \(error)")
        }
    }

    func childPath(_ key: String) -> String { self.path.isEmpty ? key : "\(self.path).\(key)" }

    /// The raw node for `key`, `nil` if absent or YAML null.
    mutating func node(_ key: String) -> Node? {
        self.used.insert(key)
        guard let node = self.pairs.first(where: { $0.key == key })?.value else { return nil }
        if case .scalar(let s) = node, s.style == .plain || s.style == .any, node.null != nil {
            return nil
        }
        return node
    }

    mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let node = self.node(key) else { return nil }
        guard case .scalar(let s) = node else {
            throw Self.error(.invalidValue, self.childPath(key), "expected a string, got \(Self.kind(node))", node)
        }
        return s.string
    }

    mutating func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let value = try self.string(key), !value.isEmpty else {
            throw ConfigError(.missingField, path: self.childPath(key), "is required")
        }
        return value
    }

    mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let node = self.node(key) else { return nil }
        guard let value = node.bool else {
            throw Self.error(.invalidValue, self.childPath(key), "expected true or false, got \(Self.show(node))", node)
        }
        return value
    }

    mutating func integer<T: FixedWidthInteger>(_ key: String, _ type: T.Type = T.self) throws(ConfigError) -> T? {
        guard let node = self.node(key) else { return nil }
        guard let value = node.int, let exact = T(exactly: value) else {
            throw Self.error(
                .invalidValue,
                self.childPath(key),
                "expected an integer in \(T.min)...\(T.max), got \(Self.show(node))",
                node
            )
        }
        return exact
    }

    /// A list of strings; a single scalar is accepted as a one-element list, as DM's loader does.
    mutating func strings(_ key: String) throws(ConfigError) -> [String] {
        guard let node = self.node(key) else { return [] }
        switch node {
        case .scalar(let s): return [s.string]
        case .mapping:
            throw Self.error(.invalidValue, self.childPath(key), "expected a list of strings, got a mapping", node)
        case .sequence(let seq):
            var result: [String] = []
            for (i, item) in seq.enumerated() {
                guard case .scalar(let s) = item else {
                    throw Self.error(
                        .invalidValue,
                        "\(self.childPath(key))[\(i)]",
                        "expected a string, got \(Self.kind(item))",
                        item
                    )
                }
                result.append(s.string)
            }
            return result
        }
    }

    mutating func map(_ key: String) throws(ConfigError) -> YAMLMap? {
        guard let node = self.node(key) else { return nil }
        return try YAMLMap(node, path: self.childPath(key))
    }

    /// The elements of a list with their paths, `key[i]`.
    mutating func list(_ key: String) throws(ConfigError) -> [(path: String, node: Node)] {
        guard let node = self.node(key) else { return [] }
        guard case .sequence(let seq) = node else {
            throw Self.error(.invalidValue, self.childPath(key), "expected a list, got \(Self.kind(node))", node)
        }
        return seq.enumerated().map { ("\(self.childPath(key))[\($0.offset)]", $0.element) }
    }

    /// The entries of a name-to-mapping section (`routes`, `filters`, ...), in file order.
    mutating func namedMaps(_ key: String) throws(ConfigError) -> [(name: String, map: YAMLMap)] {
        guard var section = try self.map(key) else { return [] }
        var result: [(name: String, map: YAMLMap)] = []
        for name in section.pairs.map(\.key) {
            guard let node = section.node(name) else {
                throw ConfigError(.missingField, path: section.childPath(name), "rule has no fields")
            }
            result.append((name, try YAMLMap(node, path: section.childPath(name))))
        }
        return result
    }

    /// Marks `key` read; if present, records that Braid ignores it.
    mutating func ignore(_ key: String, because reason: String, into warnings: inout [ConfigWarning]) {
        guard let node = self.node(key), !Self.asksForNothing(node) else { return }
        warnings.append(ConfigWarning(path: self.childPath(key), reason, kind: .ignoredKey))
    }

    /// `key: ''`, `false`, `0`, `[]` or `{}`: what DM writes for a feature left off (its exported configs
    /// spell out every key), so ignoring it loses nothing.
    static func asksForNothing(_ node: Node) -> Bool {
        switch node {
        case .scalar(let s): s.string.isEmpty || node.bool == false || node.int == 0
        case .sequence(let items): items.isEmpty
        case .mapping(let pairs): pairs.isEmpty
        }
    }

    /// Records every key that was never read as an unknown-key warning.
    func finish(into warnings: inout [ConfigWarning]) {
        for (key, _) in self.pairs where !self.used.contains(key) {
            warnings.append(ConfigWarning(path: self.childPath(key), "unknown key, ignored", kind: .unknownKey))
        }
    }

    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    static func show(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "\"\(s.string)\""
        case .mapping, .sequence: self.kind(node)
        }
    }

    static func error(_ code: ConfigError.Code, _ path: String, _ message: String, _ node: Node) -> ConfigError {
        ConfigError(code, path: path, message, line: node.mark?.line, column: node.mark?.column)
    }
}
