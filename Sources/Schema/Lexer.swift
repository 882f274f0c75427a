/// One lexical token of a DDL statement.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A bare word: keyword or unquoted identifier. `upper` holds its upper-cased spelling.
        case word
        /// A `` `quoted` `` identifier, unescaped.
        case quotedIdentifier
        /// A `'...'` or `"..."` string, unescaped.
        case string
        /// A decimal number as written (`12`, `1.5e3`).
        case number
        /// `x'1f'`, `0x1F`, `b'01'`, `0b01`, kept as written.
        case bitOrHex
        /// Punctuation and operators (`(`, `,`, `<=`, ...).
        case punct
        case end
    }

    var kind: Kind
    var text: String
    /// Upper-cased text for words (keyword matching), otherwise the text itself.
    var upper: String
    /// Byte offset into the statement's UTF-8.
    var offset: Int

    func isWord(_ keyword: String) -> Bool { self.kind == .word && self.upper == keyword }
    func isPunct(_ symbol: String) -> Bool { self.kind == .punct && self.text == symbol }
}

/// Splits a statement into tokens, dropping whitespace and comments.
///
/// Works on UTF-8 bytes (no Foundation). Versioned comments `/*!50100 ... */` are unwrapped, as
/// MySQL executes their content; every other comment is skipped.
struct Lexer {
    private let bytes: [UInt8]
    private var position = 0
    private var inVersionedComment = false

    init(_ sql: String) {
        self.bytes = Array(sql.utf8)
    }

    /// Tokenizes the whole input; the last token is always `.end`.
    static func tokenize(_ sql: String) throws(DDLParseError) -> (tokens: [Token], utf8: [UInt8]) {
        var lexer = Lexer(sql)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return (tokens, lexer.bytes) }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        let i = self.position + ahead
        return i < self.bytes.count ? self.bytes[i] : nil
    }

    private func error(_ message: String, at offset: Int) -> DDLParseError {
        DDLParseError(.syntax, construct: "token", message, offset: characterOffset(self.bytes, offset))
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: self.bytes[from..<to], as: UTF8.self)
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x24
            || b >= 0x80
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func skipTrivia() throws(DDLParseError) {
        while let b = self.peek() {
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
                self.position += 1
            case UInt8(ascii: "#"):
                while let c = self.peek(), c != 0x0A { self.position += 1 }
            case UInt8(ascii: "-") where self.peek(1) == UInt8(ascii: "-") && (self.peek(2).map { $0 <= 0x20 } ?? true):
                while let c = self.peek(), c != 0x0A { self.position += 1 }
            case UInt8(ascii: "*") where self.inVersionedComment && self.peek(1) == UInt8(ascii: "/"):
                self.inVersionedComment = false
                self.position += 2
            case UInt8(ascii: "/") where self.peek(1) == UInt8(ascii: "*"):
                let start = self.position
                if self.peek(2) == UInt8(ascii: "!") && !self.inVersionedComment {
                    self.position += 3
                    while let d = self.peek(), Lexer.isDigit(d) { self.position += 1 }
                    self.inVersionedComment = true
                    continue
                }
                self.position += 2
                while true {
                    guard let c = self.peek() else { throw self.error("unterminated comment", at: start) }
                    if c == UInt8(ascii: "*") && self.peek(1) == UInt8(ascii: "/") {
                        self.position += 2
                        break
                    }
                    self.position += 1
                }
            default:
                return
            }
        }
    }

    mutating func next() throws(DDLParseError) -> Token {
        try self.skipTrivia()
        let start = self.position
        guard let b = self.peek() else {
            if self.inVersionedComment { throw self.error("unterminated versioned comment", at: start) }
            return Token(kind: .end, text: "", upper: "", offset: start)
        }
        switch b {
        case UInt8(ascii: "`"):
            let text = try self.quoted(UInt8(ascii: "`"), backslashEscapes: false)
            return Token(kind: .quotedIdentifier, text: text, upper: text, offset: start)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            let text = try self.quoted(b, backslashEscapes: true)
            return Token(kind: .string, text: text, upper: text, offset: start)
        case _ where (b | 0x20 == UInt8(ascii: "x") || b | 0x20 == UInt8(ascii: "b")) && self.peek(1) == UInt8(ascii: "'"):
            self.position += 1
            let body = try self.quoted(UInt8(ascii: "'"), backslashEscapes: false)
            let prefix = (b == UInt8(ascii: "x") || b == UInt8(ascii: "X")) ? "x" : "b"
            return Token(kind: .bitOrHex, text: "\(prefix)'\(body)'", upper: "\(prefix)'\(body)'", offset: start)
        case _ where Lexer.isDigit(b) || (b == UInt8(ascii: ".") && self.peek(1).map(Lexer.isDigit) == true):
            return self.numberOrWord(start)
        case _ where Lexer.isWordByte(b):
            while let c = self.peek(), Lexer.isWordByte(c) { self.position += 1 }
            let text = self.text(start, self.position)
            return Token(kind: .word, text: text, upper: text.uppercased(), offset: start)
        case 0x21...0x7E:
            return self.punct(start)
        default:
            throw self.error("unexpected byte 0x\(String(b, radix: 16))", at: start)
        }
    }

    /// A quoted string or identifier; doubled quotes and (for strings) backslash escapes are decoded.
    private mutating func quoted(_ quote: UInt8, backslashEscapes: Bool) throws(DDLParseError) -> String {
        let start = self.position
        self.position += 1
        var out: [UInt8] = []
        while true {
            guard let c = self.peek() else { throw self.error("unterminated quoted text", at: start) }
            self.position += 1
            if c == quote {
                if self.peek() == quote {
                    out.append(quote)
                    self.position += 1
                    continue
                }
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") && backslashEscapes {
                guard let e = self.peek() else { throw self.error("unterminated quoted text", at: start) }
                self.position += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "0"): out.append(0x00)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "Z"): out.append(0x1A)
                case UInt8(ascii: "%"), UInt8(ascii: "_"): out.append(contentsOf: [c, e])  // kept, as MySQL does
                default: out.append(e)
                }
                continue
            }
            out.append(c)
        }
    }

    /// `12`, `1.5`, `.5`, `1e-3`, `0x1F`, `0b01`; a digit run followed by letters is an identifier (`1col`).
    private mutating func numberOrWord(_ start: Int) -> Token {
        if self.peek() == UInt8(ascii: "0"), let p = self.peek(1), p == UInt8(ascii: "x") || p == UInt8(ascii: "b") {
            var i = self.position + 2
            while i < self.bytes.count, Lexer.isWordByte(self.bytes[i]) { i += 1 }
            let body = self.text(self.position + 2, i)
            let valid = !body.isEmpty && body.utf8.allSatisfy { c in
                p == UInt8(ascii: "b") ? (c == 0x30 || c == 0x31) : (Lexer.isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66))
            }
            if valid {
                self.position = i
                let text = self.text(start, i)
                return Token(kind: .bitOrHex, text: text, upper: text, offset: start)
            }
        }
        while let c = self.peek(), Lexer.isDigit(c) { self.position += 1 }
        if self.peek() == UInt8(ascii: "."), self.peek(1).map(Lexer.isDigit) ?? true || self.position == start {
            self.position += 1
            while let c = self.peek(), Lexer.isDigit(c) { self.position += 1 }
        }
        if let e = self.peek(), e | 0x20 == UInt8(ascii: "e") {
            var i = self.position + 1
            if i < self.bytes.count, self.bytes[i] == UInt8(ascii: "+") || self.bytes[i] == UInt8(ascii: "-") { i += 1 }
            if i < self.bytes.count, Lexer.isDigit(self.bytes[i]) {
                self.position = i
                while let c = self.peek(), Lexer.isDigit(c) { self.position += 1 }
            }
        }
        if let c = self.peek(), Lexer.isWordByte(c), !self.text(start, self.position).contains(".") {
            while let c = self.peek(), Lexer.isWordByte(c) { self.position += 1 }
            let text = self.text(start, self.position)
            return Token(kind: .word, text: text, upper: text.uppercased(), offset: start)
        }
        let text = self.text(start, self.position)
        return Token(kind: .number, text: text, upper: text, offset: start)
    }

    private static let twoByteOperators: Set<String> = ["<=", ">=", "<>", "!=", "&&", "||", "<<", ">>", ":=", "->"]

    private mutating func punct(_ start: Int) -> Token {
        if self.peek() == UInt8(ascii: "<"), self.peek(1) == UInt8(ascii: "="), self.peek(2) == UInt8(ascii: ">") {
            self.position += 3
            return Token(kind: .punct, text: "<=>", upper: "<=>", offset: start)
        }
        if self.peek() == UInt8(ascii: "-"), self.peek(1) == UInt8(ascii: ">"), self.peek(2) == UInt8(ascii: ">") {
            self.position += 3
            return Token(kind: .punct, text: "->>", upper: "->>", offset: start)
        }
        if self.position + 1 < self.bytes.count {
            let pair = self.text(self.position, self.position + 2)
            if Lexer.twoByteOperators.contains(pair) {
                self.position += 2
                return Token(kind: .punct, text: pair, upper: pair, offset: start)
            }
        }
        self.position += 1
        let text = self.text(start, self.position)
        return Token(kind: .punct, text: text, upper: text, offset: start)
    }
}

/// Converts a UTF-8 byte offset to a `Character` offset, for error messages.
func characterOffset(_ utf8: [UInt8], _ byteOffset: Int) -> Int {
    let end = min(max(byteOffset, 0), utf8.count)
    return String(decoding: utf8[0..<end], as: UTF8.self).count
}
