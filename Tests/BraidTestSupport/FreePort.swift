import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP port for a server a test is about to start, chosen *below* the kernel's ephemeral
/// range and checked free by binding it.
///
/// A port from `bind(0)` is an ephemeral one: between closing it and the server binding it, any
/// outgoing connection on the machine (a `braid ctl` call, a MySQL client) may take it as its local
/// port, and the server then fails with "Address already in use". Below the range only another
/// test's pick can collide, and the picks are random.
public func freeLoopbackPort() -> Int {
    let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
        .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) } ?? []
    let ephemeralLow = range.first ?? 32768
    let candidates = ephemeralLow > 12_000 ? 10_000..<(ephemeralLow - 1) : 1_024..<max(1_025, ephemeralLow - 1)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<200 {
        let port = Int.random(in: candidates, using: &generator)
        if canBind(port) { return port }
    }
    return bindAny()
}

private func withLoopbackSocket<T>(port: Int, _ body: (Int32, UnsafeMutablePointer<sockaddr>, inout socklen_t) -> T) -> T? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    return withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, &length) }
    }
}

private func canBind(_ port: Int) -> Bool {
    withLoopbackSocket(port: port) { fd, address, length in bind(fd, address, length) == 0 } ?? false
}

/// The old way, as a last resort: whatever port the kernel hands out.
private func bindAny() -> Int {
    withLoopbackSocket(port: 0) { fd, address, length -> Int in
        guard bind(fd, address, length) == 0, getsockname(fd, address, &length) == 0 else { return 0 }
        return Int(UInt16(bigEndian: address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }))
    } ?? 0
}
