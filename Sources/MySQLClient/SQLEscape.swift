/// Quoting for SQL text built by hand. Exact bytes of arbitrary charsets go through `SQLLiteral`
/// (hex), never through string escaping.
public enum SQLEscape {
    /// `` `name` `` with embedded backticks doubled; valid in every sql_mode.
    public static func identifier(_ name: String) -> String {
        var out = "`"
        for scalar in name.unicodeScalars {
            out.unicodeScalars.append(scalar)
            if scalar == "`" { out.unicodeScalars.append("`") }
        }
        return out + "`"
    }

    /// `` `schema`.`table` ``.
    public static func qualified(_ schema: String, _ table: String) -> String {
        self.identifier(schema) + "." + self.identifier(table)
    }

    /// A quoted string literal for UTF-8 (or any ASCII-compatible, non-multibyte-trail) text.
    /// With `noBackslashEscapes` (the server's `NO_BACKSLASH_ESCAPES` sql_mode) only quotes are
    /// doubled, since backslashes are then literal.
    public static func stringLiteral(_ text: String, noBackslashEscapes: Bool = false) -> String {
        var out = "'"
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            if noBackslashEscapes {
                out.unicodeScalars.append(scalar)
                if scalar == "'" { out.unicodeScalars.append("'") }
                continue
            }
            switch scalar {
            case "\0": out += "\\0"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "\u{1A}": out += "\\Z"
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "'"
        return out
    }
}
