import Schema
import Testing

@Suite struct ParserTests {
    @Test(arguments: validDDLCorpus)
    func corpusParses(_ sql: String) throws {
        _ = try DDLParser.parse(sql)
    }

    @Test(arguments: zip(unsupportedDDLCorpus.map(\.sql), unsupportedDDLCorpus.map(\.construct)))
    func unsupportedIsTyped(_ sql: String, _ construct: String) {
        let error = #expect(throws: DDLParseError.self) { try DDLParser.parse(sql) }
        #expect(error?.code == .unsupported, "\(sql): \(String(describing: error))")
        #expect(error?.construct == construct, "\(sql): \(String(describing: error))")
    }
}
