/// A value whose JSON form is its canonical text (`0-1-64,1-2-7`, `uuid:1-5:7`): readable in the
/// API and in `braid log export`, and parsed back with the same validation as operator input.
public protocol CanonicalText: Codable, CustomStringConvertible {
    static func parse(_ text: String) throws(PositionError) -> Self
}

extension CanonicalText {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try Self.parse(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}
