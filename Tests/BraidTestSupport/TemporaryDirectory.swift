import Foundation

/// Runs `body` with a fresh directory under the system temp folder and removes it afterwards.
public func withTemporaryDirectory<T>(
    _ label: String = "braid",
    _ body: (String) async throws -> T
) async throws -> T {
    let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Synchronous variant for tests that do no async work.
public func withTemporaryDirectory<T>(
    _ label: String = "braid",
    sync body: (String) throws -> T
) throws -> T {
    let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}
