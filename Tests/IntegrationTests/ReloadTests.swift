import Foundation
import Glibc
import Testing

extension Integration {
    /// SIGHUP under load: the configuration changes (or, when invalid, does not) while clients keep
    /// asking, and not one request fails.
    @Suite struct ReloadTests {
        static func config(version: String, log: String) -> String {
            "access_log = \"\(log)\"\n\n[headers]\n\"X-Version\" = \"\(version)\"\n"
        }

        /// Four client threads (two keep-alive, two with a new connection per request) and a 100 MiB
        /// transfer in flight while the server reloads three times unchanged, once with an invalid file
        /// (reported, old configuration kept) and once with `X-Version` 2 (seen by every connection
        /// opened afterwards). Every response is complete and right, and the access log, reopened by each
        /// reload, holds one line per request.
        @Test(arguments: ServingMode.all)
        func reloadUnderLoadFailsNoRequest(mode: String) throws {
            let site = DocumentRoot.shared
            let logPath = site.scratch + "/reload-\(UUID().uuidString).log"
            let server = try ServerProcess(
                mode: mode, config: Self.config(version: "1", log: logPath), accessLog: nil)
            let configPath = try #require(server.configPath)
            let load = LoadState()
            var requestsOutsideLoad = 0

            try withStarted(server) { server in
                let port = server.port
                // Head read, body left in the socket buffers: the transfer spans every reload below.
                let big = try RawClient(port: port, timeout: 30, receiveBuffer: 64 * 1024)
                try big.send(get("/big.bin"))
                let bigHead = try big.readHead()
                #expect(bigHead.status == 200)
                #expect(bigHead.header("Content-Length") == String(DocumentRoot.bigSize))
                requestsOutsideLoad += 1

                let clientsDone = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var clientFailures: [String] = []
                DispatchQueue.global().async {
                    clientFailures = concurrently(4, timeout: 50) { index in
                        try Self.requestUntilStopped(port: port, keepAlive: index % 2 == 0, mode: mode, load: load)
                    }
                    clientsDone.signal()
                }
                var clientsJoined = false
                func joinClients() {
                    guard !clientsJoined else { return }
                    clientsJoined = true
                    load.stop()
                    clientsDone.wait()
                }
                defer { joinClients() }
                try load.waitForMore(20)

                for round in 1...3 {
                    server.signal(SIGHUP)
                    try expectStderr(server, "configuration reloaded", count: round)
                    try load.waitForMore(30)
                }

                try "[headers]\n\"X-Version\" = 2\n".write(toFile: configPath, atomically: true, encoding: .utf8)
                server.signal(SIGHUP)
                try expectStderr(server, "keeping the previous configuration", count: 1)
                #expect(
                    server.stderr.contains("reload: \(configPath):2: key 'headers.X-Version': "),
                    "stderr: \(server.stderr)")
                try load.waitForMore(30)
                let unchanged = try RawClient.exchange(port: port, get("/small.txt"))
                requestsOutsideLoad += 1
                #expect(unchanged.header("X-Version") == "1")

                try Self.config(version: "2", log: logPath).write(toFile: configPath, atomically: true, encoding: .utf8)
                server.signal(SIGHUP)
                try expectStderr(server, "configuration reloaded", count: 4)
                load.markReloaded()
                let changed = try RawClient.exchange(port: port, get("/small.txt"))
                requestsOutsideLoad += 1
                #expect(changed.header("X-Version") == "2")
                try load.waitForMore(20)
                // In threads mode only the clients that connect anew see version 2, and on a loaded
                // machine the 20 requests above may all have come from kept-alive ones: wait for one.
                load.waitForVersion2(timeout: 10)

                joinClients()
                #expect(clientFailures.isEmpty, "\(clientFailures.count) failures: \(clientFailures.prefix(5))")
                #expect(load.sawVersion2, "no client saw X-Version 2")

                let (received, mismatch) = try site.readBig(from: big)
                #expect(received == DocumentRoot.bigSize)
                #expect(mismatch == nil, "big.bin differs in the chunk at \(mismatch ?? -1)")
            }
            // The server flushed its log on exit: one line per request, none lost across the reopens.
            let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == load.completed + requestsOutsideLoad, "log lines vs requests")
        }

        /// One client thread: GET /small.txt until stopped, on one connection or a new one each time.
        /// Before the X-Version 2 reload is confirmed either version may come; after it, a new connection
        /// must see 2, and so must a kept-alive one in event-loop mode. (In threads mode a connection keeps
        /// the responder it was accepted with, as an nginx worker keeps its configuration.)
        static func requestUntilStopped(port: UInt16, keepAlive: Bool, mode: String, load: LoadState) throws {
            var kept: RawClient?
            var connectedAfterReload = false
            while !load.isStopped {
                // Read before connecting and sending: a reload confirmed by then must show.
                let reloadedBefore = load.isReloaded
                let connection: RawClient
                if let kept {
                    connection = kept
                } else {
                    connection = try RawClient(port: port, timeout: 20)
                    connectedAfterReload = reloadedBefore
                }
                if keepAlive { kept = connection }
                try connection.send(get("/small.txt"))
                let response = try connection.readResponse()
                guard response.status == 200, sameBytes(response.body, DocumentRoot.shared.small) else {
                    throw HarnessError("wrong response: \(response)")
                }
                let version = response.header("X-Version")
                let mustBeNew = reloadedBefore && (connectedAfterReload || mode == "event-loop")
                guard version == "2" || (version == "1" && !mustBeNew) else {
                    throw HarnessError("X-Version \(version ?? "missing") (reloaded before: \(reloadedBefore))")
                }
                load.completed(version: version)
            }
        }
    }
}

/// Waits (bounded) until the server has written `needle` on stderr `count` times.
func expectStderr(
    _ server: ServerProcess, _ needle: String, count: Int, timeout: Double = 10,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    guard server.waitForStderr(needle, count: count, timeout: timeout) else {
        throw HarnessError("expected \(count)× \"\(needle)\" on stderr within \(timeout) s; stderr:\n\(server.stderr)")
    }
}

/// Shared by the reload test's client threads and its main thread.
final class LoadState: @unchecked Sendable {
    private let condition = NSCondition()
    private var count = 0
    private var stopped = false
    private var reloaded = false
    private var version2 = false

    var completed: Int { condition.withLock { count } }
    var isStopped: Bool { condition.withLock { stopped } }
    var isReloaded: Bool { condition.withLock { reloaded } }
    var sawVersion2: Bool { condition.withLock { version2 } }

    func stop() { condition.withLock { stopped = true } }
    func markReloaded() { condition.withLock { reloaded = true } }

    func completed(version: String?) {
        condition.withLock {
            count += 1
            if version == "2" { version2 = true }
            condition.broadcast()
        }
    }

    /// Waits (bounded) until some client has seen X-Version 2; the caller checks `sawVersion2`.
    func waitForVersion2(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !version2 && !stopped && condition.wait(until: deadline) {}
    }

    /// Waits until `more` further requests have completed: proof the server is still serving.
    func waitForMore(_ more: Int, timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        let target = count + more
        while count < target {
            if stopped { throw HarnessError("clients stopped after \(count) requests") }
            if !condition.wait(until: deadline) {
                throw HarnessError("only \(count) of \(target) requests within \(timeout) s")
            }
        }
    }
}
