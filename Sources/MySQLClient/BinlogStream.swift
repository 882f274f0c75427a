import CMariaDB
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A binlog dump from one upstream. A reader on the stream's own queue owns the `MYSQL*` and
/// `MARIADB_RPL*`, blocks in `mariadb_rpl_fetch`, copies each event into Swift values and hands
/// them over through a bounded buffer; consumers take them with `next()` (or `for try await`),
/// taking everything buffered in one lock, so fetching and decoding overlap on two cores.
///
/// One consumer at a time. `close()` (or deinit) shuts the socket down to wake a blocked fetch;
/// the reader then closes the handles itself.
public final class BinlogStream: Sendable, AsyncSequence {
    public typealias Element = BinlogEvent
    public typealias Failure = MySQLError

    private let channel: BinlogChannel
    public let options: BinlogStreamOptions

    private init(channel: BinlogChannel, options: BinlogStreamOptions) {
        self.channel = channel
        self.options = options
    }

    deinit { self.channel.close() }

    /// Connects (a dedicated connection), performs the replica handshake (checksum, MariaDB
    /// capability, heartbeat, GTID start state) and sends the dump request. Errors in the
    /// request itself (e.g. an unknown file) surface on the first `next()`.
    public static func open(_ connection: MySQLConnectOptions, _ options: BinlogStreamOptions) async throws(MySQLError) -> BinlogStream {
        let channel = BinlogChannel(capacity: Swift.max(1, options.bufferCapacity))
        let queue = DispatchQueue(label: "braid.binlog.reader")
        let opened: Result<Void, MySQLError> = await withCheckedContinuation { continuation in
            queue.async {
                let handles: (UnsafeMutablePointer<MYSQL>, UnsafeMutablePointer<MARIADB_RPL>, checksummed: Bool)
                do throws(MySQLError) {
                    handles = try BinlogStream.start(connection, options)
                } catch {
                    continuation.resume(returning: .failure(error))
                    return
                }
                channel.attach(socket: Int32(mysql_get_socket(handles.0)))
                continuation.resume(returning: .success(()))
                BinlogStream.readLoop(mysql: handles.0, rpl: handles.1, checksummed: handles.checksummed, options: options, channel: channel)
            }
        }
        try opened.get()
        return BinlogStream(channel: channel, options: options)
    }

    /// The next event; nil at the end of the binlog in `.untilEnd` mode (or after `close()`).
    public func next() async throws(MySQLError) -> BinlogEvent? {
        try await self.channel.next()
    }

    /// Everything buffered right now (waiting for at least one event); empty at the end.
    public func nextBatch() async throws(MySQLError) -> [BinlogEvent] {
        try await self.channel.nextBatch()
    }

    /// Stops the reader and closes its connection. Idempotent; events already buffered are dropped.
    public func close() { self.channel.close() }

    /// Whether events are buffered that `next()`/`nextBatch()` would return without waiting for the
    /// network: false once the consumer has caught up with what the reader has fetched so far.
    public var hasBufferedEvents: Bool { self.channel.hasBufferedEvents }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: BinlogStream
        public mutating func next() async throws(MySQLError) -> BinlogEvent? { try await self.stream.next() }
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(MySQLError) -> BinlogEvent? {
            try await self.stream.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }

    // MARK: Reader (runs on the stream's queue)

    private static func start(
        _ connection: MySQLConnectOptions, _ options: BinlogStreamOptions
    ) throws(MySQLError) -> (UnsafeMutablePointer<MYSQL>, UnsafeMutablePointer<MARIADB_RPL>, checksummed: Bool) {
        let mysql = try MySQLHandle.open(connection)
        do throws(MySQLError) {
            let checksum = try MySQLHandle.singleValue(mysql, "SELECT @@global.binlog_checksum")
            // Without these the server refuses checksummed events (1236) and rewrites GTID and
            // ANNOTATE_ROWS events into QUERY events.
            try MySQLHandle.query(mysql, "SET @master_binlog_checksum = @@global.binlog_checksum")
            try MySQLHandle.query(mysql, "SET @mariadb_slave_capability = 4")
            if let period = options.heartbeatPeriod {
                let (seconds, attos) = period.components
                let nanos = Swift.max(1_000_000, seconds * 1_000_000_000 + attos / 1_000_000_000)
                try MySQLHandle.query(mysql, "SET @master_heartbeat_period = \(nanos)")
            }
            var file = ""
            var position: UInt64 = 4
            switch options.start {
            case .position(let start):
                file = start.file
                position = start.position
            case .gtid(let state):
                guard state.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2C || $0 == 0x20 }) else {
                    throw MySQLError(.invalidArgument, "GTID position '\(state)' is not a list of domain-server-sequence")
                }
                try MySQLHandle.query(mysql, "SET @slave_connect_state = '\(state)'")
            }
            guard let rpl = cmdb_rpl_init(mysql) else { throw MySQLError.fromHandle(mysql, call: "mariadb_rpl_init", during: .binlog) }
            var flags: UInt32 = 0
            if options.mode == .untilEnd { flags |= UInt32(MARIADB_RPL_BINLOG_DUMP_NON_BLOCK) }
            if options.annotateRows { flags |= UInt32(MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS) }
            var status = file.withCString { cmdb_rpl_set_filename(rpl, $0, file.utf8.count) }
            status |= cmdb_rpl_set_start(rpl, UInt(position))
            status |= cmdb_rpl_set_server_id(rpl, options.serverID)
            status |= cmdb_rpl_set_flags(rpl, flags)
            if options.verifyChecksum { status |= cmdb_rpl_set_u32(rpl, MARIADB_RPL_VERIFY_CHECKSUM, 1) }
            if status != 0 {
                mariadb_rpl_close(rpl)
                throw MySQLError(.binlog, "mariadb_rpl_optionsv failed")
            }
            if mariadb_rpl_open(rpl) != 0 {
                let error = rplError(mysql, rpl, call: "mariadb_rpl_open")
                mariadb_rpl_close(rpl)
                throw error
            }
            return (mysql, rpl, checksum != "NONE")
        } catch {
            mysql_close(mysql)
            throw error
        }
    }

    private static func readLoop(
        mysql: UnsafeMutablePointer<MYSQL>, rpl: UnsafeMutablePointer<MARIADB_RPL>, checksummed: Bool, options: BinlogStreamOptions,
        channel: BinlogChannel
    ) {
        var startPosition = BinlogPosition(file: "", position: 4)
        if case .position(let start) = options.start { startPosition = start }
        var converter = BinlogEventConverter(position: startPosition, rpl: rpl, checksummed: checksummed)
        // Reused between fetches (libmariadb resets it); freed by libmariadb when fetch returns NULL.
        var event: UnsafeMutablePointer<MARIADB_RPL_EVENT>? = nil
        var ending: BinlogChannel.Ending = .finished
        while !channel.isClosing {
            guard let fetched = mariadb_rpl_fetch(rpl, event) else {
                event = nil
                if !channel.isClosing && (mysql_errno(mysql) != 0 || mariadb_rpl_errno(rpl) != 0) {
                    ending = .failed(rplError(mysql, rpl, call: "mariadb_rpl_fetch"))
                }
                break
            }
            event = fetched
            do throws(MySQLError) {
                // Waking the consumer per event costs a context switch each; while more bytes are
                // already waiting on the socket the next fetch will not block, so let events pile up.
                channel.push(try converter.convert(fetched)) { !socketHasData(Int32(mysql_get_socket(mysql))) }
            } catch {
                ending = .failed(error)
                break
            }
        }
        if let event { mariadb_free_rpl_event(event) }
        channel.finish(ending) {
            mariadb_rpl_close(rpl)
            mysql_close(mysql)
        }
    }

    /// Classifies a failed rpl call: connection loss, a server error during the dump, or a
    /// libmariadb decode error (`mariadb_rpl_errno`).
    private static func rplError(_ mysql: UnsafeMutablePointer<MYSQL>, _ rpl: UnsafeMutablePointer<MARIADB_RPL>, call: String) -> MySQLError {
        if mysql_errno(mysql) != 0 {
            var error = MySQLError.fromHandle(mysql, call: call)
            if error.code == .server || error.code == .client { error.code = .binlog }
            return error
        }
        let errno = mariadb_rpl_errno(rpl)
        let text = String(cString: mariadb_rpl_error(rpl))
        return MySQLError(.decode, "\(call): \(text)", serverErrno: errno == 0 ? nil : errno)
    }
}

/// Whether bytes are waiting on the socket right now (a zero-timeout poll). libmariadb may also
/// hold read-ahead bytes; missing those only means an earlier wake-up.
private func socketHasData(_ fd: Int32) -> Bool {
    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLIN) != 0
}

/// The bounded hand-over between the reader thread and the consumer.
///
/// `@unchecked Sendable`: all state is in the `Mutex`; `space` only wakes a waiting reader.
final class BinlogChannel: @unchecked Sendable {
    enum Ending {
        case finished
        case failed(MySQLError)
    }

    private struct State {
        var events: [BinlogEvent] = []
        var consumed: [BinlogEvent] = []
        var consumedIndex = 0
        var ending: Ending?
        var closing = false
        var readerWaiting = false
        var consumer: CheckedContinuation<Void, Never>?
        var socket: Int32 = -1
    }

    private let state = Mutex(State())
    /// A waiting consumer is woken at the latest when this many events are buffered.
    private static let wakeBatch = 256
    private let space = DispatchSemaphore(value: 0)
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var isClosing: Bool { self.state.withLock { $0.closing } }

    var hasBufferedEvents: Bool { self.state.withLock { $0.consumedIndex < $0.consumed.count || !$0.events.isEmpty } }

    func attach(socket: Int32) { self.state.withLock { $0.socket = socket } }

    /// Reader side: adds one event; wakes a waiting consumer when `readerMayBlock` says the next
    /// fetch may wait for the network (or a batch is ready); waits while the buffer is full.
    func push(_ event: BinlogEvent, readerMayBlock: () -> Bool) {
        let (consumer, wait): (CheckedContinuation<Void, Never>?, Bool) = self.state.withLock { state in
            state.events.append(event)
            var consumer: CheckedContinuation<Void, Never>?
            if state.consumer != nil && (state.events.count >= Self.wakeBatch || readerMayBlock()) {
                consumer = state.consumer
                state.consumer = nil
            }
            let full = state.events.count >= self.capacity && !state.closing
            if full { state.readerWaiting = true }
            return (consumer, full)
        }
        consumer?.resume()
        if wait { self.space.wait() }
    }

    /// Reader side: records how the stream ended and runs `closeHandles` under the lock, so
    /// `close()` never shuts down a descriptor number that was already closed and reused.
    func finish(_ ending: Ending, closeHandles: () -> Void) {
        let consumer: CheckedContinuation<Void, Never>? = self.state.withLock { state in
            closeHandles()
            state.socket = -1
            if state.ending == nil { state.ending = ending }
            let consumer = state.consumer
            state.consumer = nil
            return consumer
        }
        consumer?.resume()
    }

    func close() {
        let (consumer, wakeReader): (CheckedContinuation<Void, Never>?, Bool) = self.state.withLock { state in
            guard !state.closing else { return (nil, false) }
            state.closing = true
            // Wakes a reader blocked in recv(); the reader closes the handles.
            if state.socket >= 0 { _ = shutdown(state.socket, Int32(SHUT_RDWR)) }
            state.events = []
            state.consumed = []
            state.consumedIndex = 0
            let consumer = state.consumer
            state.consumer = nil
            let wake = state.readerWaiting
            state.readerWaiting = false
            return (consumer, wake)
        }
        consumer?.resume()
        if wakeReader { self.space.signal() }
    }

    func next() async throws(MySQLError) -> BinlogEvent? {
        while true {
            let step: Step = self.state.withLock { state in
                if state.consumedIndex < state.consumed.count {
                    defer { state.consumedIndex += 1 }
                    return .event(state.consumed[state.consumedIndex])
                }
                return self.take(&state).map { batch in
                    state.consumed = batch
                    state.consumedIndex = 1
                    return .event(batch[0])
                } ?? self.endOrWait(state)
            }
            switch step {
            case .event(let event): return event
            case .end: return nil
            case .failed(let error): throw error
            case .wait: try await self.waitForEvents()
            }
        }
    }

    func nextBatch() async throws(MySQLError) -> [BinlogEvent] {
        while true {
            let step: (batch: [BinlogEvent]?, other: Step) = self.state.withLock { state in
                if state.consumedIndex < state.consumed.count {
                    let rest = Array(state.consumed[state.consumedIndex...])
                    state.consumed = []
                    state.consumedIndex = 0
                    return (rest, .end)
                }
                if let batch = self.take(&state) { return (batch, .end) }  // take() wakes a waiting reader
                return (nil, self.endOrWait(state))
            }
            if let batch = step.batch {
                return batch
            }
            switch step.other {
            case .event(let event): return [event]
            case .end: return []
            case .failed(let error): throw error
            case .wait: try await self.waitForEvents()
            }
        }
    }

    private enum Step {
        case event(BinlogEvent)
        case end
        case failed(MySQLError)
        case wait
    }

    /// Takes the reader's whole buffer (nil if empty) and lets a waiting reader continue.
    private func take(_ state: inout State) -> [BinlogEvent]? {
        guard !state.events.isEmpty else { return nil }
        var batch: [BinlogEvent] = []
        batch.reserveCapacity(min(self.capacity, 1024))
        swap(&batch, &state.events)
        if state.readerWaiting {
            state.readerWaiting = false
            self.space.signal()
        }
        return batch
    }


    private func endOrWait(_ state: State) -> Step {
        if state.closing { return .end }
        switch state.ending {
        case .finished: return .end
        case .failed(let error): return .failed(error)
        case nil: return .wait
        }
    }

    private func waitForEvents() async throws(MySQLError) {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = self.state.withLock { state in
                    if !state.events.isEmpty || state.ending != nil || state.closing || Task.isCancelled { return true }
                    state.consumer = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let consumer = self.state.withLock { state in
                defer { state.consumer = nil }
                return state.consumer
            }
            consumer?.resume()
        }
        if Task.isCancelled { throw MySQLError(.cancelled, "waiting for binlog events was cancelled") }
    }
}
