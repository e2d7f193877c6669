import Foundation
import Glibc
import HTTP1
import Posix
import Synchronization
import Testing

@testable import SpindleServer

/// The threads mode over real sockets on 127.0.0.1, against a temporary site.
@Suite struct ThreadedServerTests {
    @Test func getAndHeadAnswerTheFile() throws {
        let server = try RunningThreadedServer()
        defer { server.stopAndWait() }
        let client = try TestClient(port: server.port)
        try client.send("GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        let get = try #require(try client.readResponse())
        #expect(get.status == 200)
        #expect(get.headers["content-length"] == "\(RunningThreadedServer.hello.count)")
        #expect(get.body == Array(RunningThreadedServer.hello.utf8))

        // Same connection: HEAD has the same length and no body (the next response follows at once).
        try client.send("HEAD /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        let head = try #require(try client.readResponse(isHead: true))
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "\(RunningThreadedServer.hello.count)")
        #expect(head.body.isEmpty)
        try client.send("GET /missing HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(try client.readResponse()?.status == 404)
    }

    @Test func keepsTheConnectionAliveAcrossRequests() throws {
        let server = try RunningThreadedServer()
        defer { server.stopAndWait() }
        let client = try TestClient(port: server.port)
        for _ in 0..<5 {
            try client.send("GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
            let response = try #require(try client.readResponse())
            #expect(response.status == 200)
            #expect(response.headers["connection"]?.lowercased() != "close")
        }
        #expect(server.recorder.logged.load(ordering: .relaxed) == 5)
    }

    @Test func answersPipelinedRequestsInOrder() throws {
        let server = try RunningThreadedServer()
        defer { server.stopAndWait() }
        let client = try TestClient(port: server.port)
        try client.send(
            "GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n" + "GET /missing HTTP/1.1\r\nHost: test\r\n\r\n"
                + "GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n" + "GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        let statuses = try (0..<4).map { _ in try #require(try client.readResponse()) }
        #expect(statuses.map(\.status) == [200, 404, 200, 200])
        #expect(statuses[2].body == RunningThreadedServer.big)
        #expect(statuses[3].body == Array(RunningThreadedServer.hello.utf8))
    }

    @Test func sendsALargeFileWhole() throws {
        let server = try RunningThreadedServer()
        defer { server.stopAndWait() }
        let client = try TestClient(port: server.port)
        try client.send("GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
        let response = try #require(try client.readResponse())
        #expect(response.status == 200)
        #expect(response.body == RunningThreadedServer.big)
    }

    @Test func discardsASmallBodyAndKeepsTheConnection() throws {
        let server = try RunningThreadedServer()
        defer { server.stopAndWait() }
        let client = try TestClient(port: server.port)
        try client.send(
            "POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(try client.readResponse()?.status == 405)
        let next = try #require(try client.readResponse())
        #expect(next.status == 200)
        #expect(next.body == Array(RunningThreadedServer.hello.utf8))
    }

    @Test func answersAMalformedRequestAndCloses() throws {
        let server = try RunningThreadedServer()
        defer { server.stopAndWait() }
        let client = try TestClient(port: server.port)
        try client.send("GET /hello.txt HTTP/1.1\r\nHost test\r\n\r\n")
        #expect(try client.readResponse()?.status == 400)
        #expect(try client.readToEnd().isEmpty)
    }

    @Test func answers408WhenAHeadStallsAndClosesSilentIdleConnections() throws {
        var settings = ServerSettings()
        settings.headTimeout = 200_000_000
        settings.keepAliveTimeout = 200_000_000
        let server = try RunningThreadedServer(settings: settings)
        defer { server.stopAndWait() }

        let partial = try TestClient(port: server.port)
        try partial.send("GET /hello.txt HTTP/1.1\r\nHo")
        #expect(try partial.readResponse()?.status == 408)
        #expect(try partial.readToEnd().isEmpty)

        // Connected but silent: no response, just the close.
        let silent = try TestClient(port: server.port)
        #expect(try silent.readToEnd().isEmpty)

        // Idle after a response: closed by the keep-alive timeout.
        let idle = try TestClient(port: server.port)
        try idle.send("GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(try idle.readResponse()?.status == 200)
        #expect(try idle.readToEnd().isEmpty)
    }

    @Test func waitsAtTheConnectionLimit() throws {
        var settings = ServerSettings()
        settings.maxConnections = 1
        let server = try RunningThreadedServer(settings: settings)
        defer { server.stopAndWait() }
        let first = try TestClient(port: server.port)
        try first.send("GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(try first.readResponse()?.status == 200)

        // The kernel completes the handshake (backlog), but the server does not accept it yet.
        let second = try TestClient(port: server.port)
        try second.send("GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(!second.hasData(withinMilliseconds: 300))
        first.close()
        #expect(try second.readResponse()?.status == 200)
    }

    @Test func stopClosesIdleConnectionsAndReturnsBeforeTheGrace() throws {
        var settings = ServerSettings()
        settings.shutdownGrace = 30 * ServerSettings.second
        let server = try RunningThreadedServer(settings: settings)
        let idle = try TestClient(port: server.port)
        try idle.send("GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(try idle.readResponse()?.status == 200)
        let silent = try TestClient(port: server.port)

        let started = MonotonicClock.nanoseconds()
        let status = server.stopAndWait()
        #expect(status == 0)
        #expect(MonotonicClock.nanoseconds() - started < 5 * ServerSettings.second)
        #expect(try idle.readToEnd().isEmpty)
        #expect(try silent.readToEnd().isEmpty)
        #expect(server.recorder.events.withLock { $0 } == ["ready", "stopping"])
        #expect(server.server.connectionCount == 0)
    }

    @Test func finishesAResponseInFlightWhenStopped() throws {
        let server = try RunningThreadedServer()
        let client = try TestClient(port: server.port)
        // Half a head: the connection is busy, so the drain waits for it and answers with close. The
        // short wait gives its thread time to read those bytes, so the drain does not see it idle.
        try client.send("GET /hello.txt HTTP/1.1\r\n")
        #expect(!client.hasData(withinMilliseconds: 300))
        server.server.stop()
        #expect(server.recorder.stopping.wait(timeout: .now() + 10) == .success)
        try client.send("Host: test\r\n\r\n")
        let response = try #require(try client.readResponse())
        #expect(response.status == 200)
        #expect(response.headers["connection"]?.lowercased() == "close")
        #expect(try client.readToEnd().isEmpty)
        #expect(server.stopAndWait() == 0)
    }
}

/// A ThreadedServer on 127.0.0.1 (kernel-chosen port) serving a temporary directory, run on its own thread.
private final class RunningThreadedServer: @unchecked Sendable {
    static let hello = "Hello, threads!\n"
    static let big: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }

    let server: ThreadedServer
    let port: UInt16
    /// What the hooks saw (a separate object, so the hooks do not retain the server that holds them).
    final class Recorder: Sendable {
        let logged = Atomic<Int>(0)
        let events = Mutex<[String]>([])
        let stopping = DispatchSemaphore(value: 0)
    }

    let recorder = Recorder()
    private let root: URL
    private let finished = DispatchSemaphore(value: 0)
    private let status = Mutex<Int32?>(nil)
    private let waited = Atomic<Bool>(false)

    init(settings: ServerSettings = ServerSettings()) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("spindle-threads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data(Self.hello.utf8).write(to: root.appendingPathComponent("hello.txt"))
        try Data(Self.big).write(to: root.appendingPathComponent("big.bin"))
        try Data("<h1>index</h1>\n".utf8).write(to: root.appendingPathComponent("index.html"))

        let address = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        let socket = try FileDescriptor.listen(on: address)
        guard let local = socket.localAddress() else { throw Errno(EINVAL, "getsockname") }
        port = local.port
        let listener = Listener(socket: socket, address: "http://127.0.0.1:\(port)")
        let site = Site(
            root: root.path, indexFiles: ["index.html"], dotfiles: .deny, mimeOverrides: [:], extraHeaders: [])
        var hooks = ServerHooks()
        let recorder = recorder
        hooks.logRequest = { _, _, _, _, _ in recorder.logged.add(1, ordering: .relaxed) }
        hooks.ready = { recorder.events.withLock { $0.append("ready") } }
        hooks.stopping = {
            recorder.events.withLock { $0.append("stopping") }
            recorder.stopping.signal()
        }
        server = try ThreadedServer(
            listeners: [listener], responder: try Responder(site: site), settings: settings, hooks: hooks)
        let thread = Thread { [self] in
            let result = try? server.run()
            status.withLock { $0 = result }
            finished.signal()
        }
        thread.start()
    }

    /// Stops the server (the SIGTERM drain) and waits for `run()` to return; its status, nil on failure.
    @discardableResult
    func stopAndWait() -> Int32? {
        guard !waited.exchange(true, ordering: .relaxed) else { return status.withLock { $0 } }
        server.stop()
        let result: Int32? = finished.wait(timeout: .now() + 20) == .success ? status.withLock { $0 } : nil
        try? FileManager.default.removeItem(at: root)
        return result
    }
}

/// A blocking HTTP client over a raw socket, reading responses by Content-Length.
private final class TestClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    struct TimedOut: Error {}

    private let socket: FileDescriptor
    private var pending: [UInt8] = []

    init(port: UInt16) throws {
        let address = try #require(SocketAddress(host: "127.0.0.1", port: port))
        socket = try FileDescriptor.connect(to: address)
        // A server that never answers fails the test instead of hanging it.
        try socket.setTimeout(SO_RCVTIMEO, nanoseconds: 5 * ServerSettings.second)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        _ = try bytes.withUnsafeBytes { (buffer) throws(Errno) -> Int in
            try socket.sendAll(buffer)
            return buffer.count
        }
    }

    /// Ends the connection both ways (the descriptor itself closes with the client).
    func close() { socket.shutdown(Int32(SHUT_RDWR)) }

    /// Whether bytes (or the end) arrive within the time: for checking that nothing is sent.
    func hasData(withinMilliseconds milliseconds: Int32) -> Bool {
        var fds = [pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)]
        return poll(&fds, 1, milliseconds) > 0
    }

    /// The next response, or nil when the connection ends first.
    func readResponse(isHead: Bool = false) throws -> Response? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            if pending.count >= 4 {
                headEnd = (0...(pending.count - 4)).first { Array(pending[$0..<($0 + 4)]) == separator }
            }
            if headEnd == nil {
                guard try fill() else { return nil }
            }
        }
        guard let headEnd else { return nil }
        let headText = String(decoding: pending[..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = isHead ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while pending.count < length {
            guard try fill() else { return nil }
        }
        let body = Array(pending[..<length])
        pending.removeFirst(length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Everything until the server closes; throws if it does not close within the receive timeout.
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { pending = [] }
        return pending
    }

    /// Reads more into `pending`; false at the end of the stream (a reset counts as the end).
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = try chunk.withUnsafeMutableBytes { (buffer) throws(Errno) -> Int? in
            do throws(Errno) {
                return try socket.receive(into: buffer)
            } catch  where error.code == ECONNRESET {
                return 0
            }
        }
        guard let count else { throw TimedOut() }
        pending += chunk[..<count]
        return count > 0
    }
}
