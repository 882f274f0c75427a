import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one keep-alive TCP connection to 127.0.0.1.
/// Benchmarks only: it understands Content-Length and chunked responses and nothing fancier.
final class KeepAliveHTTPClient {
    enum Failure: Error { case connect(Int32), io(String) }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        self.fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(self.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(self.fd)
            throw Failure.connect(errno)
        }
        var one: Int32 = 1
        setsockopt(self.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(self.fd) }

    /// Sends a POST and returns the status code once the whole response body has been read.
    func post(_ path: String, body: String) throws -> Int {
        try self.request("POST", path, body: body).status
    }

    /// Sends a request and returns the status and the response body.
    func request(_ method: String, _ path: String, body: String = "", contentType: String = "application/json") throws -> (status: Int, body: [UInt8]) {
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { send(self.fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.io("send") }
            sent += n
        }
        let head = try self.readHead()
        guard let statusLine = head.split(separator: "\r\n").first else { throw Failure.io("no status line") }
        let status = Int(statusLine.split(separator: " ")[1]) ?? 0
        let lower = head.lowercased()
        var body: [UInt8] = []
        if let range = lower.range(of: "content-length: ") {
            let length = Int(lower[range.upperBound...].prefix { $0.isNumber }) ?? 0
            body = try self.read(exactly: length)
        } else if lower.contains("transfer-encoding: chunked") {
            while true {
                let line = try self.readLine()
                let size = Int(line, radix: 16) ?? 0
                body += try self.read(exactly: size + 2).dropLast(2)
                if size == 0 { break }
            }
        }
        return (status, body)
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        let n = chunk.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure.io("recv") }
        self.buffer += chunk[0..<n]
    }

    private func readHead() throws -> String {
        while true {
            if let end = self.find([13, 10, 13, 10]) {
                let head = String(decoding: self.buffer[0..<end], as: UTF8.self)
                self.buffer.removeFirst(end + 4)
                return head
            }
            try self.fill()
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = self.find([13, 10]) {
                let line = String(decoding: self.buffer[0..<end], as: UTF8.self)
                self.buffer.removeFirst(end + 2)
                return line
            }
            try self.fill()
        }
    }

    private func read(exactly count: Int) throws -> [UInt8] {
        while self.buffer.count < count { try self.fill() }
        let out = Array(self.buffer[0..<count])
        self.buffer.removeFirst(count)
        return out
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard self.buffer.count >= needle.count else { return nil }
        for i in 0...(self.buffer.count - needle.count) where self.buffer[i] == needle[0] {
            if Array(self.buffer[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// An etcd server on loopback with random ports, stopped by its PID.
final class EtcdProcess {
    let process: Process
    let port: UInt16
    let dataDir: String

    static func start(scratch: String) throws -> EtcdProcess? {
        let candidates = ["/usr/bin/etcd", "/usr/local/bin/etcd"]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let client = UInt16.random(in: 30_000...39_999)
        let peer = client + 10_000
        let metrics = client + 20_000
        let dir = scratch + "/bench-etcd-\(UUID().uuidString)"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = [
            "--name", "bench", "--data-dir", dir,
            "--listen-client-urls", "http://127.0.0.1:\(client)", "--advertise-client-urls", "http://127.0.0.1:\(client)",
            "--listen-peer-urls", "http://127.0.0.1:\(peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
            "--initial-cluster", "bench=http://127.0.0.1:\(peer)", "--listen-metrics-urls", "http://127.0.0.1:\(metrics)",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let etcd = EtcdProcess(process: p, port: client, dataDir: dir)
        // Ready when a put succeeds; give up after 20 s.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let c = try? KeepAliveHTTPClient(port: client), (try? c.post("/v3/kv/put", body: EtcdComparison.putBody(key: "ready", value: [1]))) == 200 {
                return etcd
            }
            usleep(50_000)
        }
        etcd.stop()
        throw KeepAliveHTTPClient.Failure.io("etcd did not become ready on port \(client)")
    }

    private init(process: Process, port: UInt16, dataDir: String) {
        self.process = process
        self.port = port
        self.dataDir = dataDir
    }

    func stop() {
        kill(self.process.processIdentifier, SIGTERM)
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: self.dataDir)
    }
}
