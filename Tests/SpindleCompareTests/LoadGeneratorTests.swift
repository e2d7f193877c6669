import Foundation
import Glibc
import Posix
import SpindleCompare
import Testing

/// A blocking thread-per-connection server answering every request with a fixed response, just
/// enough to drive the generator in-process. Stopped by shutting its listening socket down.
final class CannedServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32

    init() throws {
        guard let address = SocketAddress(host: "127.0.0.1", port: 0) else { throw Errno(EINVAL) }
        let socket = try FileDescriptor.listen(on: address)
        try socket.setNonBlocking(false)
        port = socket.localAddress()?.port ?? 0
        listener = socket.release()
        let fd = listener
        try PosixThread.spawn(stackSize: 256 * 1024) {
            while true {
                let client = Glibc.accept(fd, nil, nil)
                if client < 0 { return }
                do {
                    try PosixThread.spawn(stackSize: 256 * 1024) { CannedServer.serve(client) }
                } catch {
                    Glibc.close(client)
                }
            }
        }
    }

    private static func serve(_ fd: Int32) {
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var head: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            head += buffer[..<n]
            while let end = head.firstRange(of: Array("\r\n\r\n".utf8)) {
                let request = String(decoding: head[..<end.lowerBound], as: UTF8.self)
                head.removeSubrange(..<end.upperBound)
                let closes = request.contains("Connection: close")
                let response =
                    request.hasPrefix("GET /missing ")
                    ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                    : request.hasPrefix("GET /large ")
                        ? "HTTP/1.1 200 OK\r\nContent-Length: \(largeBody.count)\r\n\r\n"
                        : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\(closes ? "Connection: close\r\n" : "")\r\nhello"
                var bytes = Array(response.utf8)
                if request.hasPrefix("GET /large ") { bytes += largeBody }
                if !sendAll(fd, bytes) || closes { return }
            }
        }
    }

    /// The answer to `GET /large`: a body the generator reads in many pieces.
    static let largeBody = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    func stop() {
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }
}

struct LoadGeneratorTests {
    private func workload(port: UInt16, path: String = "/", connections: Int, keepAlive: Bool) throws -> LoadWorkload {
        let address = try #require(SocketAddress(host: "127.0.0.1", port: port))
        return LoadWorkload(
            address: address, path: path, connections: connections, keepAlive: keepAlive, duration: 0.3,
            warmup: 0.05, requestTimeout: 2)
    }

    @Test func keepAliveRequestsAreCountedAndTimed() throws {
        let server = try CannedServer()
        defer { server.stop() }
        var ticks = 0
        var measuring = 0
        let result = try LoadGenerator(workload(port: server.port, connections: 4, keepAlive: true))
            .run(onMeasuring: { measuring += 1 }, onTick: { ticks += 1 })
        #expect(result.requests > 20)
        #expect(result.errors.total == 0)
        #expect(result.latency.count == result.requests)
        #expect(result.bytes >= result.requests * 43)  // head 38 bytes + 5 of body, at least
        #expect(result.seconds >= 0.3 && result.seconds < 1)
        #expect(measuring == 1)
        #expect(ticks >= 3)
    }

    @Test func connectionPerRequestReconnects() throws {
        let server = try CannedServer()
        defer { server.stop() }
        let result = try LoadGenerator(workload(port: server.port, connections: 3, keepAlive: false)).run()
        #expect(result.requests > 20)
        #expect(result.errors.total == 0)
    }

    /// 1 MiB bodies arrive in many 8 KiB reads and pieces of socket buffer; each is framed whole.
    @Test func largeBodiesSpanManyReads() throws {
        let server = try CannedServer()
        defer { server.stop() }
        let result = try LoadGenerator(workload(port: server.port, path: "/large", connections: 3, keepAlive: true))
            .run()
        #expect(result.requests > 3)
        #expect(result.errors.total == 0)
        #expect(result.bytes >= result.requests * UInt64(CannedServer.largeBody.count))
    }

    @Test func non2xxIsAnError() throws {
        let server = try CannedServer()
        defer { server.stop() }
        let result = try LoadGenerator(workload(port: server.port, path: "/missing", connections: 2, keepAlive: true))
            .run()
        #expect(result.requests > 0)
        #expect(result.errors.status == result.requests)
    }

    @Test func refusedConnectionsAreConnectErrors() throws {
        // A port that was just bound and released: nothing listens there.
        let address = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        let port = try #require(try FileDescriptor.listen(on: address).localAddress()?.port)
        let result = try LoadGenerator(workload(port: port, connections: 2, keepAlive: true)).run()
        #expect(result.requests == 0)
        #expect(result.errors.connect >= 2)
    }

    @Test func requestBytes() throws {
        let keepAlive = try workload(port: 8080, path: "/a.html", connections: 1, keepAlive: true)
        #expect(
            String(decoding: keepAlive.request, as: UTF8.self) == "GET /a.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
        )
        let close = try workload(port: 8080, path: "/a.html", connections: 1, keepAlive: false)
        #expect(
            String(decoding: close.request, as: UTF8.self)
                == "GET /a.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n")
    }

    /// Not a unit test: the measurement behind docs/load-generator.md, run by hand against a server
    /// that is already listening (`SPINDLE_BENCH_PORT=... swift test -c release --filter benchmark`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SPINDLE_BENCH_PORT"] != nil))
    func benchmark() throws {
        let environment = ProcessInfo.processInfo.environment
        let port = try #require(UInt16(environment["SPINDLE_BENCH_PORT"] ?? ""))
        var work = try workload(
            port: port, path: environment["SPINDLE_BENCH_PATH"] ?? "/",
            connections: Int(environment["SPINDLE_BENCH_CONNECTIONS"] ?? "") ?? 50,
            keepAlive: environment["SPINDLE_BENCH_CLOSE"] == nil)
        work.duration = Double(environment["SPINDLE_BENCH_SECONDS"] ?? "") ?? 5
        work.warmup = Double(environment["SPINDLE_BENCH_WARMUP"] ?? "") ?? 0.5
        work.requestTimeout = 10
        let scratch = Int(environment["SPINDLE_BENCH_SCRATCH"] ?? "") ?? 8 * 1024
        let result = try LoadGenerator(work, scratchBytes: scratch).run()
        let ms = { (ns: Int64) in String(format: "%.3f ms", Double(ns) / 1e6) }
        print(
            "benchmark: \(result.requests) requests in \(String(format: "%.2f", result.seconds)) s = "
                + String(format: "%.0f req/s, %.1f MB/s", result.requestsPerSecond, result.bytesPerSecond / 1e6)
                + ", p50 \(ms(result.latency.percentile(50))), p99 \(ms(result.latency.percentile(99)))"
                + ", p99.9 \(ms(result.latency.percentile(99.9))), max \(ms(result.latency.maximum))"
                + ", errors \(result.errors)"
        )
        #expect(result.requests > 0)
    }
}
