/// Re-checks `condition` until it holds or `timeout` passes, and says whether it held: a deadline,
/// never a fixed sleep as synchronisation. Errors while polling count as "not yet"; the last check's
/// error is rethrown.
public func eventually(
    timeout: Duration = .seconds(30), poll: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: poll)
    }
    return try await condition()
}
