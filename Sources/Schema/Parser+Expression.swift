/// Expressions (generated columns, `DEFAULT (expr)`) are not interpreted; they are captured as
/// canonical text so that the same expression written two ways (`id+1`, `` `id` + 1 ``) compares
/// equal across shards, and so that rendering then re-parsing gives the same text back.
extension Parser {
    /// Words printed upper-case and unquoted inside expressions; any other bare word not followed by
    /// `(` is a column name and is backquoted.
    static let expressionKeywords: Set<String> = [
        "NULL", "TRUE", "FALSE", "AND", "OR", "NOT", "XOR", "IS", "IN", "LIKE", "REGEXP", "RLIKE", "BETWEEN", "CASE",
        "WHEN", "THEN", "ELSE", "END", "DIV", "MOD", "AS", "BINARY", "INTERVAL", "ESCAPE", "COLLATE", "UNKNOWN",
        "DISTINCT", "USING", "SEPARATOR", "ASC", "DESC", "MEMBER", "OF", "CURRENT_TIMESTAMP", "CURRENT_DATE",
        "CURRENT_TIME", "CURRENT_USER", "LOCALTIME", "LOCALTIMESTAMP", "UTC_TIMESTAMP", "UTC_DATE", "UTC_TIME",
        "SIGNED", "UNSIGNED", "CHAR", "INTEGER", "DECIMAL", "DATE", "DATETIME", "TIME", "JSON", "DOUBLE", "FLOAT",
        "MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "SECOND_MICROSECOND",
        "MINUTE_SECOND", "HOUR_MINUTE", "DAY_HOUR", "YEAR_MONTH", "DAY_MINUTE", "DAY_SECOND", "HOUR_SECOND",
        "CHARACTER", "SET", "UNDERSCORE_CHARSET",
    ]

    /// Consumes `( ... )` and returns the canonical text of what is inside.
    mutating func parenthesizedExpression(_ construct: String) throws(DDLParseError) -> String {
        let open = self.current
        try self.expectPunct("(", in: construct)
        var depth = 1
        let start = self.index
        while true {
            let token = self.current
            switch token.kind {
            case .end:
                throw self.syntax(construct, "unbalanced parentheses", at: open)
            case .punct where token.text == "(":
                depth += 1
            case .punct where token.text == ")":
                depth -= 1
                if depth == 0 {
                    let inner = self.tokens[start..<self.index]
                    guard !inner.isEmpty else { throw self.syntax(construct, "empty expression") }
                    self.advance()
                    return Parser.canonicalText(inner)
                }
            case .punct where token.text == ";":
                throw self.syntax(construct, "unexpected ';' inside an expression")
            case .word, .quotedIdentifier, .string, .number, .bitOrHex, .punct:
                break
            }
            self.advance()
        }
    }

    /// Renders tokens with one canonical spelling and spacing.
    static func canonicalText(_ tokens: ArraySlice<Token>) -> String {
        var out = ""
        var previous: Token?
        var i = tokens.startIndex
        while i < tokens.endIndex {
            let token = tokens[i]
            let next = i + 1 < tokens.endIndex ? tokens[i + 1] : nil
            if let previous, Parser.needsSpace(previous, token) { out += " " }
            switch token.kind {
            case .word:
                if token.text.hasPrefix("_"), next?.kind == .string {
                    out += token.text.lowercased()  // charset introducer, glued to its string
                    previous = nil
                    i += 1
                    continue
                } else if next?.isPunct("(") == true || Parser.expressionKeywords.contains(token.upper) {
                    out += token.upper
                } else {
                    out += SQLText.identifier(token.text)
                }
            case .quotedIdentifier:
                out += SQLText.identifier(token.text)
            case .string:
                out += SQLText.string(token.text)
            case .number, .bitOrHex, .punct, .end:
                out += token.text
            }
            previous = token
            i += 1
        }
        return out
    }

    static func needsSpace(_ previous: Token, _ token: Token) -> Bool {
        if previous.isPunct("(") || previous.isPunct(".") { return false }
        if token.isPunct(")") || token.isPunct(",") || token.isPunct(".") { return false }
        if token.isPunct("("), previous.kind == .word || previous.kind == .quotedIdentifier { return false }
        return true
    }

    // MARK: - Defaults

    /// The value after `DEFAULT`.
    mutating func defaultValue() throws(DDLParseError) -> DefaultValue {
        let token = self.current
        switch token.kind {
        case .string:
            self.advance()
            return .string(token.text)
        case .number:
            self.advance()
            return .number(token.text)
        case .bitOrHex:
            self.advance()
            return .expression(token.text)
        case .punct where token.text == "-" || token.text == "+":
            self.advance()
            guard self.current.kind == .number else {
                throw self.syntax("DEFAULT", "expected a number after '\(token.text)'")
            }
            let number = self.current.text
            self.advance()
            return .number(token.text == "-" ? "-" + number : number)
        case .punct where token.text == "(":
            return .expression("(" + (try self.parenthesizedExpression("DEFAULT")) + ")")
        case .word where token.upper == "NULL":
            self.advance()
            return .null
        case .word where token.upper == "TRUE" || token.upper == "FALSE":
            self.advance()
            return .number(token.upper == "TRUE" ? "1" : "0")
        case .word where (token.text.hasPrefix("_") || token.upper == "N") && self.peek().kind == .string:
            self.advance()
            return .string(try self.string("DEFAULT"))
        case .word:
            if let now = try self.currentTimestamp() { return .expression(now) }
            throw self.syntax("DEFAULT", "expected a literal or (expression), found \(self.describeCurrent())")
        case .quotedIdentifier, .punct, .end:
            throw self.syntax("DEFAULT", "expected a literal or (expression), found \(self.describeCurrent())")
        }
    }

    /// `CURRENT_TIMESTAMP`, `NOW()`, `LOCALTIMESTAMP(3)`... as `CURRENT_TIMESTAMP[(n)]`, MySQL's own
    /// spelling in `SHOW CREATE TABLE`; `nil` (nothing consumed) for any other word.
    mutating func currentTimestamp() throws(DDLParseError) -> String? {
        let synonyms: Set<String> = ["CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP"]
        guard self.current.kind == .word, synonyms.contains(self.current.upper) else { return nil }
        let requiresParens = self.current.upper == "NOW"
        self.advance()
        guard self.acceptPunct("(") else {
            if requiresParens { throw self.syntax("CURRENT_TIMESTAMP", "expected '(' after NOW") }
            return "CURRENT_TIMESTAMP"
        }
        if self.acceptPunct(")") { return "CURRENT_TIMESTAMP" }
        let precision = try self.integer("CURRENT_TIMESTAMP")
        try self.expectPunct(")", in: "CURRENT_TIMESTAMP")
        return precision == 0 ? "CURRENT_TIMESTAMP" : "CURRENT_TIMESTAMP(\(precision))"
    }
}
