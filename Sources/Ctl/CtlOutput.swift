import Foundation

/// Builds dmctl-shaped JSON: `{"result": true, "msg": "", ...}`.
enum CtlOutput {
    /// Encodes a generated API value into a JSON object tree so it nests in the reply.
    static func tree<T: Encodable>(_ value: T) -> Any {
        guard let data = try? JSONEncoder().encode(value),
            let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return NSNull() }
        return object
    }

    static func render(_ object: [String: Any]) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return #"{"msg": "cannot render the reply", "result": false}"# }
        return String(decoding: data, as: UTF8.self)
    }
}
