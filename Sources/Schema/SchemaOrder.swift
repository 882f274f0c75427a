public import BinaryCoding

/// The result of comparing two schemas in the lattice: `less` means the first accepts a subset of
/// what the second accepts (fewer columns, narrower types, more constraints).
public enum SchemaOrder: Sendable, Hashable, Codable, CaseIterable {
    case less, equal, greater

    /// The order seen from the other side.
    public var reversed: SchemaOrder {
        switch self {
        case .less: return .greater
        case .equal: return .equal
        case .greater: return .less
        }
    }

    /// Orders two integers the way the lattice orders widths.
    static func of<T: Comparable>(_ a: T, _ b: T) -> SchemaOrder {
        a < b ? .less : (a == b ? .equal : .greater)
    }
}

/// Folds the orders of the parts of a tuple into the order of the whole: all parts must point the
/// same way (or be equal), otherwise the tuples are incomparable.
struct OrderAccumulator {
    private(set) var order: SchemaOrder = .equal
    /// The first part that made the order non-equal, for the error message.
    private var decidedBy: String?

    mutating func add(_ next: SchemaOrder, subject: SchemaIncompatibility.Subject, attribute: String)
        throws(SchemaIncompatibility)
    {
        switch (self.order, next) {
        case (_, .equal):
            return
        case (.equal, _):
            self.order = next
            self.decidedBy = "\(subject) \(attribute)"
        case (.less, .less), (.greater, .greater):
            return
        case (.less, .greater), (.greater, .less):
            throw SchemaIncompatibility(
                .contradictoryOrder, subject, attribute: attribute,
                "\(subject) \(attribute) orders the schemas opposite to \(self.decidedBy ?? "an earlier attribute")")
        }
    }
}

extension SchemaOrder: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .less: writer.writeByte(0)
        case .equal: writer.writeByte(1)
        case .greater: writer.writeByte(2)
        }
    }

    public init(from reader: inout ByteReader) throws(BinaryDecodingError) {
        let at = reader.offset
        switch try reader.readByte() {
        case 0: self = .less
        case 1: self = .equal
        case 2: self = .greater
        case let tag: throw BinaryDecodingError(.invalidValue, at: at, "SchemaOrder tag \(tag)")
        }
    }
}
