/// Quoting for rendered SQL. Everything Braid renders goes through here, so identifiers are always
/// backquoted and strings always single-quoted with the escapes the lexer undoes.
enum SQLText {
    static func identifier(_ name: String) -> String {
        var out = "`"
        for character in name {
            out.append(character)
            if character == "`" { out.append("`") }
        }
        return out + "`"
    }

    static func string(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": out += "''"
            case "\\": out += "\\\\"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    static func qualified(_ name: QualifiedName) -> String {
        name.schema.map { self.identifier($0) + "." + self.identifier(name.name) } ?? self.identifier(name.name)
    }
}
