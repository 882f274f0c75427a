import Crypto
import Foundation

/// Seals a source password for its bound worker (`WorkerView.source_password`).
///
/// With `--secret-key-file`, the password travels as `aes-gcm:` + base64 of AES-256-GCM's combined
/// form (12-byte nonce, ciphertext, 16-byte tag); the worker holds the same key file. Without a
/// key the password is sent as is, and only to the bound worker.
public struct SecretBox: Sendable {
    public static let prefix = "aes-gcm:"
    /// The raw key bytes; `SymmetricKey` is not `Sendable`, so it is rebuilt per use.
    let keyBytes: [UInt8]?

    public init(keyBytes: [UInt8]?) { self.keyBytes = keyBytes }

    var key: SymmetricKey? { self.keyBytes.map { SymmetricKey(data: $0) } }

    /// Reads a key file: 32 raw bytes, 64 hex digits, or base64 of 32 bytes (whitespace trimmed).
    public static func load(keyFile path: String) throws(MasterError) -> SecretBox {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MasterError.configuration("cannot read secret key file \(path)")
        }
        guard let bytes = Self.keyBytes(data) else {
            throw MasterError.configuration("secret key file \(path) must hold 32 bytes (raw, hex or base64)")
        }
        return SecretBox(keyBytes: bytes)
    }

    static func keyBytes(_ data: Data) -> [UInt8]? {
        if data.count == 32 { return Array(data) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, let hex = Self.hex(text) { return hex }
        if let decoded = Data(base64Encoded: text), decoded.count == 32 { return Array(decoded) }
        return nil
    }

    private static func hex(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var chars = text.makeIterator()
        while let hi = chars.next(), let lo = chars.next() {
            guard let byte = UInt8(String([hi, lo]), radix: 16) else { return nil }
            out.append(byte)
        }
        return out.count == 32 ? out : nil
    }

    /// The password as the worker receives it.
    public func seal(_ password: String) -> String {
        guard let key = self.key,
              let box = try? AES.GCM.seal(Data(password.utf8), using: key),
              let combined = box.combined
        else { return password }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The inverse of `seal`, for workers and tests.
    public func open(_ sealed: String) -> String? {
        guard sealed.hasPrefix(Self.prefix) else { return self.key == nil ? sealed : nil }
        guard let key = self.key, let data = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))),
              let box = try? AES.GCM.SealedBox(combined: data),
              let plain = try? AES.GCM.open(box, using: key)
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}
