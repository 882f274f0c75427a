import Crypto
public import Foundation

/// The key that opens source passwords the master seals for the bound worker (`--secret-key-file`).
///
/// A 32-byte key given as 64 hex digits is used as is; any other file content is hashed with
/// SHA-256 to a key. A password that is not a base64 AES-GCM box under this key is taken as plain
/// text, so a master that sends passwords in the clear (loopback, tests) keeps working.
public struct SecretKey: Sendable {
    /// Raw bytes: `SymmetricKey` is not `Sendable`.
    private let bytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: self.bytes) }

    public init(fileContents: Data) {
        let text = String(decoding: fileContents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, let bytes = Self.hex(text) {
            self.bytes = bytes
        } else {
            self.bytes = Array(SHA256.hash(data: fileContents))
        }
    }

    /// Opens a sealed password, or returns it unchanged when it is not sealed under this key.
    public func open(_ password: String) -> String {
        guard let combined = Data(base64Encoded: password),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let plain = try? AES.GCM.open(box, using: self.key)
        else { return password }
        return String(decoding: plain, as: UTF8.self)
    }

    /// Seals a password (base64 of AES-GCM nonce|ciphertext|tag); the inverse of `open`.
    public func seal(_ password: String) throws -> String {
        try AES.GCM.seal(Data(password.utf8), using: self.key).combined!.base64EncodedString()
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
