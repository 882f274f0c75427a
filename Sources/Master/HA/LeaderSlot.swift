import Hummingbird
import Synchronization

/// The runtime of the term this master leads, if any. The HTTP server stays up across terms; its
/// responder asks the slot on every request whether to serve or to redirect.
final class LeaderSlot: Sendable {
    private let current = Mutex<MasterRuntime?>(nil)
    private let responder = Mutex<RouterResponder<BasicRequestContext>?>(nil)

    func set(_ runtime: MasterRuntime, responder: RouterResponder<BasicRequestContext>) {
        self.current.withLock { $0 = runtime }
        self.responder.withLock { $0 = responder }
    }

    func clear() {
        self.responder.withLock { $0 = nil }
        self.current.withLock { $0 = nil }
    }

    var runtime: MasterRuntime? { self.current.withLock { $0 } }
    var leaderResponder: RouterResponder<BasicRequestContext>? { self.responder.withLock { $0 } }
}
