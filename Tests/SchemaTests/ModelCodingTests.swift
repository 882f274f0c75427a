import BinaryCoding
import Foundation
import Schema
import Testing

/// A table exercising every optional field, so a forgotten field in `encode`/`init(from:)` shows up.
let richTable = TableInfo(
    schema: "shardddl", table: "tb",
    columns: [
        ColumnInfo(name: "id", type: ColumnType(.bigint, unsigned: true), nullable: false, autoIncrement: true),
        ColumnInfo(
            name: "name", type: ColumnType(.varchar, length: 64), defaultValue: .string("it's"), charset: "utf8mb4",
            collation: "utf8mb4_bin", comment: "the name"),
        ColumnInfo(name: "price", type: ColumnType(.decimal, length: 10, scale: 2, zerofill: true), defaultValue: .number("-1.5")),
        ColumnInfo(
            name: "ts", type: ColumnType(.timestamp, length: 3), nullable: false,
            defaultValue: .expression("CURRENT_TIMESTAMP(3)"), onUpdate: "CURRENT_TIMESTAMP(3)"),
        ColumnInfo(name: "kind", type: ColumnType(.enum, elements: ["a", "b"]), defaultValue: .null),
        ColumnInfo(name: "next", type: ColumnType(.int), generated: GeneratedColumn(expression: "`id` + 1", stored: true)),
    ],
    indexes: [
        IndexInfo(name: "PRIMARY", kind: .primary, columns: [IndexColumn("id")]),
        IndexInfo(name: "uk_name", kind: .unique, columns: [IndexColumn("name", prefixLength: 10, descending: true)],
            algorithm: "BTREE", comment: "c"),
    ],
    charset: "utf8mb4", collation: "utf8mb4_general_ci",
    options: TableOptions(engine: "InnoDB", autoIncrement: 42, comment: "t", other: [RawTableOption(name: "ROW_FORMAT", value: "DYNAMIC")])
)

@Suite struct ModelCodingTests {
    @Test func tableInfoBinaryRoundTrip() throws {
        let bytes = richTable.encodedBytes()
        let decoded = try TableInfo(decoding: bytes)
        #expect(decoded == richTable)
    }

    @Test func encodingIsDeterministic() {
        #expect(richTable.encodedBytes() == richTable.encodedBytes())
        var copy = richTable
        copy.columns[1].comment = "other"
        #expect(copy.encodedBytes() != richTable.encodedBytes())
    }

    @Test func unknownVersionIsRefused() {
        var bytes = richTable.encodedBytes()
        bytes[0] = 99
        #expect(throws: BinaryDecodingError.self) { try TableInfo(decoding: bytes) }
    }

    @Test func everyTruncationThrows() {
        let bytes = richTable.encodedBytes()
        for n in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try TableInfo(decoding: Array(bytes[0..<n])) }
        }
    }

    @Test(arguments: [DefaultValue.null, .string("x"), .number("3"), .expression("NOW()")])
    func defaultValueRoundTrip(_ value: DefaultValue) throws {
        #expect(try DefaultValue(decoding: value.encodedBytes()) == value)
    }

    @Test func everyBaseTypeRoundTrips() throws {
        for base in BaseType.allCases {
            let type = ColumnType(base, length: 5)
            #expect(try ColumnType(decoding: type.encodedBytes()) == type)
        }
    }

    @Test func jsonRoundTrip() throws {
        let data = try JSONEncoder().encode(richTable)
        #expect(try JSONDecoder().decode(TableInfo.self, from: data) == richTable)
    }

    @Test func lookupsAreCaseInsensitive() {
        #expect(richTable.column(named: "NAME")?.name == "name")
        #expect(richTable.columnIndex(named: "Price") == 2)
        #expect(richTable.column(named: "missing") == nil)
        #expect(richTable.index(named: "primary")?.kind == .primary)
        #expect(richTable.primaryKey?.columns == [IndexColumn("id")])
    }

    @Test func canBeOmitted() {
        #expect(richTable.column(named: "id")!.canBeOmitted)  // auto-increment
        #expect(!ColumnInfo(name: "c", type: ColumnType(.int), nullable: false).canBeOmitted)
        #expect(ColumnInfo(name: "c", type: ColumnType(.int), nullable: false, defaultValue: .number("0")).canBeOmitted)
    }
}

@Suite struct LatticeCodingTests {
    @Test(arguments: [
        SchemaIncompatibility(.defaultMismatch, .column("c"), attribute: "default", "x"),
        SchemaIncompatibility(.indexMismatch, .index("i"), attribute: "definition", "y"),
        SchemaIncompatibility(.charsetMismatch, .table, attribute: "charset", "z"),
    ])
    func incompatibilityRoundTrip(_ value: SchemaIncompatibility) throws {
        #expect(try SchemaIncompatibility(decoding: value.encodedBytes()) == value)
    }

    @Test func orderRoundTrip() throws {
        for order in SchemaOrder.allCases {
            #expect(try SchemaOrder(decoding: order.encodedBytes()) == order)
        }
        #expect(throws: BinaryDecodingError.self) { try SchemaOrder(decoding: [7]) }
    }
}
