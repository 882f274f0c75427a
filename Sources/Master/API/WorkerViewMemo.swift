import Domain
import Synchronization
import Yams

/// The expensive, stable parts of worker views, owned by one master.
///
/// Views are rebuilt on every log change for every watcher, and a watch answers early only when
/// its view differs. Sealing draws a random nonce and YAML encoding is slow, so both are memoized:
/// the same secret seals to the same text (equality is all that leaks), and a config renders once.
final class WorkerViewMemo: Sendable {
    let secrets: SecretBox
    private let sealedTexts = Mutex<[String: String]>([:])
    private let taskYAMLs = Mutex<[TaskConfig: String]>([:])
    /// Bounds both maps; configs and secrets change rarely, so a reset costs one re-render each.
    private static let limit = 1_024

    init(secrets: SecretBox) { self.secrets = secrets }

    func sealed(_ plaintext: String) -> String {
        if let cached = self.sealedTexts.withLock({ $0[plaintext] }) { return cached }
        let value = self.secrets.seal(plaintext)
        self.sealedTexts.withLock { cache in
            if cache.count > Self.limit { cache.removeAll() }
            cache[plaintext] = value
        }
        return value
    }

    /// `TaskConfig`'s Codable form as YAML, with the target password sealed.
    func taskYAML(_ config: TaskConfig) -> String {
        if let cached = self.taskYAMLs.withLock({ $0[config] }) { return cached }
        var sealed = config
        if !sealed.targetDatabase.password.isEmpty {
            sealed.targetDatabase.password = self.sealed(sealed.targetDatabase.password)
        }
        let yaml = (try? YAMLEncoder().encode(sealed, userInfo: [.braidIncludePasswords: true])) ?? ""
        self.taskYAMLs.withLock { cache in
            if cache.count > Self.limit { cache.removeAll() }
            cache[config] = yaml
        }
        return yaml
    }
}
