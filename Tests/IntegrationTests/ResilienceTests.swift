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
                #expect(try RawClient.exchange(port: server.port, get("/small.txt")).body == site.small)
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
                #expect(response.body == site.small)
                let range = try RawClient.exchange(
                    port: server.port, get("/big.bin", "Range: bytes=5242880-5242979\r\n"))
                #expect(range.status == 206)
                #expect(sameBytes(range.body, site.bigBytes(5_242_880..<5_242_980)))
            }
        }

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
                // The first ones fit under the limit and are answered while the rest wait.
                for client in clients.prefix(20) {
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.body == site.small)
                }
                #expect(server.isRunning, "stderr: \(server.stderr)")
                clients.removeAll()  // closes them all
                for _ in 0..<5 {
                    let response = try RawClient.exchange(port: server.port, get("/small.txt"))
                    #expect(response.status == 200)
                    #expect(response.body == site.small)
                }
                #expect(server.isRunning)
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

            server.signal(SIGTERM)
            // Wait until the server is draining, with the transfer still unread: then a new connection is
            // refused, reset, or accepted and closed at once, where before it would sit waiting for a head.
            var draining = false
            let deadline = Date().addingTimeInterval(5)
            while !draining && Date() < deadline {
                do {
                    let probe = try RawClient(port: server.port, timeout: 1)
                    draining = probe.waitReadable(milliseconds: 100)
                } catch {
                    draining = true
                }
            }
            #expect(draining, "no sign of draining 5 s after SIGTERM")
            #expect(server.isRunning, "exited with a transfer in flight")

            let rest = DocumentRoot.bigSize - received
            try client.readBody(count: rest) { offset, bytes in try verify(4 * 1024 * 1024 + offset, bytes) }
            #expect(received == DocumentRoot.bigSize)
            // The response done, a draining server closes the connection rather than keeping it alive.
            #expect(try client.readUntilClose().isEmpty)
            #expect(server.waitForExit(timeout: 5) == 0, "stderr: \(server.stderr)")
        }
    }
}
