import CMariaDB
import Dispatch

/// The one owner of a `MYSQL*`. libmariadb blocks, and the cooperative pool has very few threads,
/// so every call on the handle runs on this connection's own serial queue; async callers hop
/// there and back once per batch (`withSession`).
///
/// `@unchecked Sendable`: the handle is only touched on `queue`, and `handle` itself is only read
/// or written there.
public final class MySQLConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    private var handle: UnsafeMutablePointer<MYSQL>?
    /// Thread id of the server session, for diagnostics and `KILL`.
    public let serverThreadID: UInt64
    /// The server's version string, e.g. `10.11.19-MariaDB-0+deb12u1-log`.
    public let serverVersion: String

    private init(queue: DispatchQueue, handle: UnsafeMutablePointer<MYSQL>) {
        self.queue = queue
        self.handle = handle
        self.serverThreadID = UInt64(mysql_thread_id(handle))
        self.serverVersion = String(cString: mysql_get_server_info(handle))
    }

    deinit {
        // No hop needed: nothing else can reference the connection any more.
        if let handle { mysql_close(handle) }
    }

    /// Connects, sets the charset, TLS and the session variables. Blocks only the new connection's queue.
    public static func connect(_ options: MySQLConnectOptions) async throws(MySQLError) -> MySQLConnection {
        let queue = DispatchQueue(label: "braid.mysql.connection")
        let handle = try await hop(on: queue) { () throws(MySQLError) in UnsafeTransfer(try MySQLHandle.open(options)) }
        return MySQLConnection(queue: queue, handle: handle.value)
    }

    /// Runs `body` on the connection's queue with a session view: one hop for any number of
    /// statements. `body` must not block on anything but the connection itself.
    public func withSession<T>(_ body: (borrowing MySQLSession) throws(MySQLError) -> T) async throws(MySQLError) -> T {
        try await withoutActuallyEscaping(body) { (body) async throws(MySQLError) -> T in
            let job = SessionJob(body)
            let result: UnsafeTransfer<Result<T, MySQLError>> = await withCheckedContinuation { continuation in
                self.queue.async {
                    let result = job.run(self.handle)
                    continuation.resume(returning: result)
                }
            }
            return try result.value.get()
        }
    }

    @discardableResult
    public func execute(_ sql: String) async throws(MySQLError) -> (affectedRows: UInt64, lastInsertID: UInt64) {
        try await self.withSession { (session) throws(MySQLError) in try session.execute(sql) }
    }

    public func query(_ sql: String) async throws(MySQLError) -> MySQLResultSet {
        try await self.withSession { (session) throws(MySQLError) in try session.query(sql) }
    }

    /// Closes the handle; later calls throw `.closed`. Idempotent.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            self.queue.async {
                if let handle = self.handle {
                    mysql_close(handle)
                    self.handle = nil
                }
                continuation.resume()
            }
        }
    }
}

/// Carries a `withSession` body to the queue. The body is dropped on the queue before the caller
/// resumes, which `withoutActuallyEscaping` checks; the caller is suspended meanwhile, so the
/// non-Sendable body never runs concurrently with its captures' owner.
private final class SessionJob<T>: @unchecked Sendable {
    private var body: ((borrowing MySQLSession) throws(MySQLError) -> T)?

    init(_ body: @escaping (borrowing MySQLSession) throws(MySQLError) -> T) { self.body = body }

    func run(_ handle: UnsafeMutablePointer<MYSQL>?) -> UnsafeTransfer<Result<T, MySQLError>> {
        guard let body = self.body.take() else { return UnsafeTransfer(.failure(MySQLError(.client, "session job ran twice"))) }
        guard let handle else { return UnsafeTransfer(.failure(MySQLError.closed("withSession"))) }
        do throws(MySQLError) {
            return UnsafeTransfer(.success(try body(MySQLSession(handle))))
        } catch {
            return UnsafeTransfer(.failure(error))
        }
    }
}

/// Moves a value across the hop to the connection queue and back. Safe because the caller is
/// suspended until the queue has finished with it, so the value is never used from two threads at once.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs `work` on `queue` and resumes the caller with its result.
func hop<T: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws(MySQLError) -> T) async throws(MySQLError) -> T {
    let result: Result<T, MySQLError> = await withCheckedContinuation { continuation in
        queue.async {
            do throws(MySQLError) {
                continuation.resume(returning: .success(try work()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }
    return try result.get()
}
