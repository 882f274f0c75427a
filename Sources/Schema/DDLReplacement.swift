/// The statements an operator gave to `binlog replace`, as the one DDL statement that takes the
/// replaced event's place.
///
/// One statement stands as it is. Several must all be `ALTER TABLE` of the same table; they merge
/// into one `ALTER TABLE` with every spec in order, so the replacement moves the checkpoint past the
/// event in one step (exactly once, like any DDL event) and goes through shard coordination as one DDL.
public enum DDLReplacement {
    /// Why the statements cannot replace an event. `index` is the offending statement's index, when one is.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var index: Int?
        public var message: String

        public init(index: Int?, _ message: String) {
            self.index = index
            self.message = message
        }

        public var description: String {
            self.index.map { "replacement statement \($0 + 1): \(self.message)" } ?? self.message
        }
    }

    /// Parses and merges `statements`; unqualified table names take `defaultSchema` when given (the
    /// event's database; the master, which does not know it, passes `nil`).
    public static func statement(_ statements: [String], defaultSchema: String?) throws(Failure) -> DDLStatement {
        guard !statements.isEmpty else { throw Failure(index: nil, "no statement to replace the event with") }
        var parsed: [DDLStatement] = []
        for (index, text) in statements.enumerated() {
            do {
                let statement = try DDLParser.parse(text)
                parsed.append(defaultSchema.map { statement.qualified(defaultSchema: $0) } ?? statement)
            } catch {
                throw Failure(index: index, "\(error) [statement: \(text)]")
            }
        }
        if parsed.count == 1 { return parsed[0] }
        var merged: AlterTable?
        for (index, statement) in parsed.enumerated() {
            guard case .alterTable(let alter) = statement else {
                throw Failure(index: index, "several replacement statements must all be ALTER TABLE of one table")
            }
            if let first = merged {
                guard first.table == alter.table else {
                    throw Failure(index: index, "alters \(alter.table), but the first statement alters \(first.table)")
                }
                merged?.specs += alter.specs
            } else {
                merged = alter
            }
        }
        return .alterTable(merged!)
    }
}
