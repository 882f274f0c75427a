import Foundation
import Synchronization

/// The masters a client may talk to, and which one answered last.
///
/// Sticking to the last good (or redirected-to) address means a healthy cluster costs one
/// request per call; a dead master costs one failed connect before the client moves on
/// (dm#1110, tiflow#12168: clients must skip unavailable members and follow the leader).
final class MasterEndpoints: Sendable {
    private let state: Mutex<State>

    private struct State {
        var addresses: [URL]
        var current: Int
    }

    init(_ addresses: [URL]) {
        precondition(!addresses.isEmpty, "a master client needs at least one address")
        self.state = Mutex(State(addresses: addresses, current: 0))
    }

    /// The addresses to try, starting with the one that answered last.
    func rotation() -> [URL] {
        self.state.withLock { state in
            let n = state.addresses.count
            return (0..<n).map { state.addresses[(state.current + $0) % n] }
        }
    }

    /// Remember the address that answered (adding a redirect target we did not know).
    func prefer(_ url: URL) {
        self.state.withLock { state in
            if let index = state.addresses.firstIndex(of: url) {
                state.current = index
            } else {
                state.addresses.append(url)
                state.current = state.addresses.count - 1
            }
        }
    }

    /// Parses `host:port` or `http://host:port` forms, as `--master` accepts them.
    static func parse(_ text: String) -> URL? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        let withScheme = trimmed.contains("://") ? trimmed : "http://\(trimmed)"
        guard let url = URL(string: withScheme), url.host != nil else { return nil }
        return baseURL(of: url)
    }

    /// Scheme, host and port only: a redirect's `Location` names a full path we do not need.
    static func baseURL(of url: URL) -> URL? {
        guard let scheme = url.scheme, let host = url.host else { return nil }
        let port = url.port.map { ":\($0)" } ?? ""
        return URL(string: "\(scheme)://\(host)\(port)")
    }
}
