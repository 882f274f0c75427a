public import ArgumentParser
import Foundation

/// `braid ctl`'s own options: which master to talk to and how to authenticate. Given before the command
/// name (`braid ctl --master h:p query-status`), as today.
public struct CtlGlobalOptions: ParsableArguments, Sendable {
    @Option(help: "Master addresses, comma separated (host:port); a follower redirects to the leader.")
    public var master: String = "127.0.0.1:8261"

    @Option(name: .customLong("auth-token-file"), help: "Send 'Authorization: Bearer <token>' with the token in this file.")
    public var authTokenFile: String?

    public init() {}

    /// The token in `--auth-token-file`, trimmed.
    func token() throws(CtlError) -> String? {
        guard let path = self.authTokenFile else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw CtlError.usage("cannot read token file \(path)") }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CtlError.usage("token file \(path) is empty") }
        return token
    }
}

/// `-s a -s b` and dmctl's `-s a,b`.
func splitList(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",").map(String.init) }
}
