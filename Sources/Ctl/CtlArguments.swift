/// dmctl-style arguments of one command: positionals, valued flags (repeatable) and switches.
struct CtlArguments: Sendable {
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    var switches: Set<String> = []

    /// - Parameters:
    ///   - valued: canonical long name → aliases (`"source": ["-s", "--source"]`).
    ///   - switches: canonical name → aliases for flags without a value.
    init(_ arguments: [String], valued: [String: [String]] = [:], switches: [String: [String]] = [:]) throws(CtlError) {
        var alias: [String: (name: String, takesValue: Bool)] = [:]
        for (name, spellings) in valued { for s in spellings { alias[s] = (name, true) } }
        for (name, spellings) in switches { for s in spellings { alias[s] = (name, false) } }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                self.positionals.append(contentsOf: arguments[index...])
                break
            }
            guard argument.hasPrefix("-"), argument.count > 1 else {
                self.positionals.append(argument)
                continue
            }
            var flag = argument
            var inline: String?
            if let eq = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                flag = String(argument[..<eq])
                inline = String(argument[argument.index(after: eq)...])
            }
            guard let spec = alias[flag] else { throw CtlError.usage("unknown flag \(flag)") }
            if spec.takesValue {
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard index < arguments.count else { throw CtlError.usage("flag \(flag) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                // dmctl accepts `-s a,b` as well as `-s a -s b`.
                self.values[spec.name, default: []].append(contentsOf: value.split(separator: ",").map(String.init))
            } else {
                self.switches.insert(spec.name)
            }
        }
    }

    func all(_ name: String) -> [String] { self.values[name] ?? [] }
    func one(_ name: String) -> String? { self.values[name]?.last }
    func has(_ name: String) -> Bool { self.switches.contains(name) }
}

/// A ctl failure before or instead of a master error.
struct CtlError: Error, Sendable {
    var message: String
    var exitCode: Int32
    static func usage(_ message: String) -> CtlError { CtlError(message: message, exitCode: 2) }
    static func failed(_ message: String) -> CtlError { CtlError(message: message, exitCode: 1) }
}
