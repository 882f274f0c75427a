import Crypto
public import Foundation

/// The key that opens source passwords the master seals for the bound worker (`--secret-key-file`).
///
/// Same format as the master's `SecretBox`: the key file holds 32 bytes raw, as 64 hex digits or
/// as base64; a sealed password is `aes-gcm:` + base64 of AES-256-GCM's combined form. A password
/// without the prefix was sent in the clear (master without a key) and is used as is.
public struct SecretKey: Sendable {
    public static let prefix = "aes-gcm:"
    /// Raw bytes: `SymmetricKey` is not `Sendable`.
    private let bytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: self.bytes) }

    /// - Returns: `nil` when the file does not hold a 32-byte key.
    public init?(fileContents data: Data) {
        if data.count == 32 {
            self.bytes = Array(data)
            return
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, let hex = Self.hex(text) {
            self.bytes = hex
        } else if let decoded = Data(base64Encoded: text), decoded.count == 32 {
            self.bytes = Array(decoded)
        } else {
            return nil
        }
    }

    /// Opens a sealed password; returns unprefixed text unchanged and `nil` when a sealed one does not open.
    public func open(_ password: String) -> String? {
        guard password.hasPrefix(Self.prefix) else { return password }
        guard let combined = Data(base64Encoded: String(password.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let plain = try? AES.GCM.open(box, using: self.key)
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    /// Seals a password the way the master does; the inverse of `open`.
    public func seal(_ password: String) throws -> String {
        Self.prefix + (try AES.GCM.seal(Data(password.utf8), using: self.key).combined!.base64EncodedString())
    }

    private static func hex(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chars = text.makeIterator()
        while let hi = chars.next(), let lo = chars.next() {
            guard let byte = UInt8(String([hi, lo]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
