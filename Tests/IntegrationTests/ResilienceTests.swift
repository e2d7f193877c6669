import Foundation
import Glibc
import Testing

extension Integration {
    /// Hostile or unlucky conditions: slow clients, aborted downloads, descriptor exhaustion, shutdown.
    @Suite struct ResilienceTests {
        let site = DocumentRoot.shared

        @Test(arguments: ServingMode.all)
        func slowlorisIsCutOffByTheHeadTimeout(mode: String) throws {
            try withServer(mode, config: "[timeouts]\nhead = 1\n") { server in
                let client = try RawClient(port: server.port, timeout: 5)
                let start = Date()
                try client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                // One more byte every 200 ms: progress that must not extend the deadline.
                while !client.waitReadable(milliseconds: 200) {
                    try? client.send("z")
                    guard Date().timeIntervalSince(start) < 5 else {
                        Issue.record("the trickling client is still connected after 5 s with head = 1")
                        return
                    }
                }
                let elapsed = Date().timeIntervalSince(start)
                let received = try client.readUntilClose()
                #expect(elapsed >= 0.9 && elapsed < 3, "cut off after \(elapsed) s")
                if case .complete(let response, _) = HTTPResponse.parse(received, forHead: false, atEOF: true) {
                    #expect(response.status == 408)
                }

                // A connection that says nothing at all is closed too, without an answer.
                let silent = try RawClient(port: server.port, timeout: 5)
                let silentStart = Date()
                #expect(try silent.readUntilClose().isEmpty)
                #expect(Date().timeIntervalSince(silentStart) < 3)

                // The server still serves.
                try expectBody(RawClient.exchange(port: server.port, get("/small.txt")).body, site.small)
            }
        }

        @Test(arguments: ServingMode.all)
        func clientAbortingMidDownloadDoesNotDisturbService(mode: String) throws {
            try withServer(mode) { server in
                for abortAfter in [0, 3 * 1024 * 1024] {
                    let client = try RawClient(port: server.port, receiveBuffer: 64 * 1024)
                    try client.send(get("/big.bin"))
                    let head = try client.readHead()
                    #expect(head.status == 200)
                    #expect(head.header("Content-Length") == String(DocumentRoot.bigSize))
                    try client.readBody(count: abortAfter) { offset, bytes in
                        guard sameBytes(bytes, site.bigBytes(offset..<(offset + bytes.count))) else {
                            throw HarnessError("big.bin differs at \(offset)")
                        }
                    }
                    client.abort()
                }
                #expect(server.isRunning)
                let response = try RawClient.exchange(port: server.port, get("/small.txt"))
                #expect(response.status == 200)
                expectBody(response.body, site.small)
                let range = try RawClient.exchange(
                    port: server.port, get("/big.bin", "Range: bytes=5242880-5242979\r\n"))
                #expect(range.status == 206)
                #expect(sameBytes(range.body, site.bigBytes(5_242_880..<5_242_980)))
            }
        }

        /// 100 connections against `ulimit -n 64`: accept fails with EMFILE for some; the server must neither
        /// die nor spin, and must serve normally once they are gone.
        @Test(arguments: ServingMode.all)
        func survivesRunningOutOfDescriptors(mode: String) throws {
            try withServer(mode, fileLimit: 64) { server in
                var clients: [RawClient] = []
                // More connections than descriptors: the kernel completes them; the server cannot accept all.
                for _ in 0..<100 {
                    let client = try RawClient(port: server.port, timeout: 10)
                    try client.send(get("/small.txt"))
                    clients.append(client)
                }
                // A complete answer of some kind on the first ones: the server is alive and responsive.
                for client in clients.prefix(5) {
                    _ = try client.readResponse()
                }
                #expect(server.isRunning, "stderr: \(server.stderr)")
                clients.removeAll()  // closes them all
                // "After they close" is once the server has seen them go: wait (bounded) for its descriptors
                // to fall back near the idle count and stay there, rather than racing the backlog it is
                // still draining (accepting a closed connection raises the count again for a moment).
                let deadline = Date().addingTimeInterval(10)
                var settled = 0
                while settled < 10 && Date() < deadline {
                    settled = server.descriptorCount() <= 20 ? settled + 1 : 0
                    _ = poll(nil, 0, 10)
                }
                #expect(settled >= 10, "descriptors still open: \(server.descriptorCount())")
                for _ in 0..<5 {
                    let response = try RawClient.exchange(port: server.port, get("/small.txt"))
                    #expect(response.status == 200)
                    expectBody(response.body, site.small)
                }
                #expect(server.isRunning)
            }
        }

        /// Connections the server did accept near the descriptor limit should still be served, which
        /// needs a descriptor left for opening the file (e.g. accepting stops short of the limit).
        @Test(arguments: ServingMode.all)
        func connectionsAcceptedAtTheDescriptorLimitAreServed(mode: String) throws {
            try withServer(mode, fileLimit: 64) { server in
                // All connections first, then the requests: the server has taken every descriptor it could
                // before it needs one for the file.
                let clients = try (0..<100).map { _ in try RawClient(port: server.port, timeout: 10) }
                for client in clients { try client.send(get("/small.txt")) }
                var statuses: [Int: Int] = [:]
                for client in clients.prefix(30) {
                    statuses[try client.readResponse().status, default: 0] += 1
                }
                #expect(statuses == [200: 30], "statuses of the first 30 answers: \(statuses)")
            }
        }

        @Test(arguments: ServingMode.all)
        func sigtermLetsAnInFlightTransferComplete(mode: String) throws {
            let server = try ServerProcess(mode: mode)
            defer { server.kill() }
            let client = try RawClient(port: server.port, timeout: 10, receiveBuffer: 128 * 1024)
            try client.send(get("/big.bin"))
            let head = try client.readHead()
            try #require(head.status == 200)
            var received = 0
            let verify = { (offset: Int, bytes: [UInt8]) throws in
                guard sameBytes(bytes, site.bigBytes(offset..<(offset + bytes.count))) else {
                    throw HarnessError("big.bin differs at \(offset)")
                }
                received = offset + bytes.count
            }
            try client.readBody(count: 4 * 1024 * 1024, verify)

            // An idle keep-alive connection: a draining server closes it at once, which tells us the drain began.
            let idle = try RawClient(port: server.port, timeout: 5)
            try idle.send(get("/small.txt"))
            #expect(try idle.readResponse().status == 200)

            server.signal(SIGTERM)
            let drainStart = Date()
            #expect(try idle.readUntilClose().isEmpty)
            #expect(Date().timeIntervalSince(drainStart) < 3, "idle connection not closed promptly on SIGTERM")
            #expect(server.isRunning, "exited with a transfer in flight")

            // New connections are no longer taken: refused (listener closed) or, at worst, closed at once.
            do {
                let late = try RawClient(port: server.port, timeout: 2)
                try? late.send(get("/small.txt"))
                let answered = late.waitReadable(milliseconds: 1000)
                #expect(answered, "a connection made during the drain is held open (the listener is still open)")
                if answered, let bytes = try? late.readUntilClose(), !bytes.isEmpty {
                    Issue.record("a connection made during the drain was served: \(bytes.prefix(40))")
                }
            } catch {
                #expect(error as? ClientError == .connect(ECONNREFUSED))
            }

            let rest = DocumentRoot.bigSize - received
            try client.readBody(count: rest) { offset, bytes in try verify(4 * 1024 * 1024 + offset, bytes) }
            #expect(received == DocumentRoot.bigSize)
            // The response done, a draining server closes the connection at once rather than keeping it
            // alive until the grace period (10 s) runs out.
            let doneAt = Date()
            #expect(try client.readUntilClose().isEmpty)
            #expect(Date().timeIntervalSince(doneAt) < 2, "connection kept after its response during the drain")
            #expect(server.waitForExit(timeout: 5) == 0, "stderr: \(server.stderr)")
        }
    }
}
