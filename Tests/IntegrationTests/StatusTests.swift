import Foundation
import Glibc
import Testing

extension Integration {
    /// The health and metrics listener (`--status-listen`): `/healthz` across a drain, `/metrics`
    /// against the requests just made, and nothing else on it.
    @Suite struct StatusTests {
        let site = DocumentRoot.shared

        /// Starts a server with a status listener on a port the kernel picks; returns it and that port.
        private func start(_ mode: String) throws -> (ServerProcess, UInt16) {
            let server = try ServerProcess(mode: mode, extraArguments: ["--status-listen", "127.0.0.1:0"])
            do {
                return (server, try server.statusPort())
            } catch {
                server.kill()
                throw error
            }
        }

        /// `name{labels} value` lines of a Prometheus text exposition, by series.
        private func samples(_ text: String) -> [String: Double] {
            var samples: [String: Double] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
            }
            return samples
        }

        @Test(arguments: ServingMode.all)
        func metricsCountTheRequestsJustMade(mode: String) throws {
            let (server, statusPort) = try start(mode)
            try withStarted(server) { server in
                let client = try RawClient(port: server.port)
                for _ in 0..<3 {
                    try client.send(get("/small.txt"))
                    #expect(try client.readResponse().status == 200)
                }
                try client.send(get("/missing"))
                #expect(try client.readResponse().status == 404)
                let bad = try RawClient(port: server.port)
                try bad.send("GET / HTTP/1.1\r\n\r\n")  // no Host
                #expect(try bad.readResponse().status == 400)

                let metrics = try RawClient.exchange(port: statusPort, get("/metrics"))
                #expect(metrics.status == 200)
                #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(decoding: metrics.body, as: UTF8.self)
                // Every sample belongs to a family announced by # TYPE.
                let families = Set(
                    text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
                for series in samples(text).keys {
                    let name = series.split(separator: "{")[0]
                    #expect(families.contains(name), "\(series) has no # TYPE line")
                }
                let values = samples(text)
                #expect(values["spindle_requests_total{code=\"200\"}"] == 3)
                #expect(values["spindle_requests_total{code=\"404\"}"] == 1)
                #expect(values["spindle_requests_total{code=\"400\"}"] == 1)
                #expect(values["spindle_parse_errors_total{kind=\"missingHost\"}"] == 1)
                #expect(values["spindle_connections_accepted_total"] == 2)
                // The keep-alive client is open; the rejected one may still be lingering.
                #expect(values["spindle_connections_open"].map { (1...2).contains($0) } == true)
                #expect((values["spindle_response_bytes_total"] ?? 0) >= Double(3 * site.small.count))
                #expect(values["spindle_build_info{version=\"0.1.0\",mode=\"\(mode)\"}"] == 1)
                #expect((values["spindle_start_time_seconds"] ?? 0) > 1_700_000_000)

                // The status listener's own requests are not counted, and nothing else lives there.
                #expect(try RawClient.exchange(port: statusPort, get("/index.html")).status == 404)
                #expect(try RawClient.exchange(port: statusPort, get("/healthz", method: "POST")).status == 405)
                let again = samples(
                    String(decoding: try RawClient.exchange(port: statusPort, get("/metrics")).body, as: UTF8.self))
                #expect(again["spindle_requests_total{code=\"404\"}"] == 1)
                // And the site does not answer the status paths as status.
                #expect(try RawClient.exchange(port: server.port, get("/metrics")).status == 404)
            }
        }

        /// A load balancer must see a draining replica: 503 from SIGTERM until the process exits,
        /// while the transfer in flight finishes.
        @Test(arguments: ServingMode.all)
        func healthzTurns503WhileDraining(mode: String) throws {
            let (server, statusPort) = try start(mode)
            defer { server.kill() }
            let health = try RawClient.exchange(port: statusPort, get("/healthz"))
            #expect(health.status == 200)
            #expect(String(decoding: health.body, as: UTF8.self) == "ok\n")

            let client = try RawClient(port: server.port, timeout: 10, receiveBuffer: 128 * 1024)
            try client.send(get("/big.bin"))
            try #require(try client.readHead().status == 200)
            try client.readBody(count: 1024 * 1024) { _, _ in }
            server.signal(SIGTERM)
            // The drain begins at once; poll until the health check says so (bounded).
            var draining: HTTPResponse?
            for _ in 0..<100 {
                let response = try RawClient.exchange(port: statusPort, get("/healthz"))
                if response.status == 503 {
                    draining = response
                    break
                }
                usleep(20_000)
            }
            #expect(draining.map { String(decoding: $0.body, as: UTF8.self) } == "draining\n")
            #expect(server.isRunning, "exited with a transfer in flight")
            try client.readBody(count: DocumentRoot.bigSize - 1024 * 1024) { _, _ in }
            #expect(server.waitForExit(timeout: 15) == 0)
        }

        /// With `shutdown_delay`, SIGTERM turns /healthz 503 at once but the site keeps answering
        /// (with Connection: close) until the delay ends; only then are new connections refused.
        @Test(arguments: ServingMode.all)
        func shutdownDelayKeepsServingWhileHealthzSays503(mode: String) throws {
            let server = try ServerProcess(
                mode: mode, config: "[timeouts]\nshutdown_delay = 1.5\n",
                extraArguments: ["--status-listen", "127.0.0.1:0"])
            defer { server.kill() }
            let statusPort = try server.statusPort()
            let idle = try RawClient(port: server.port)
            try idle.send(get("/small.txt"))
            #expect(try idle.readResponse().header("Connection") == nil)
            server.signal(SIGTERM)
            let signalled = Date()
            var health = 200
            while health != 503 && Date().timeIntervalSince(signalled) < 1 {
                health = try RawClient.exchange(port: statusPort, get("/healthz")).status
            }
            #expect(health == 503)
            // Still served, by a new connection and by the kept-alive one, each told to close.
            let fresh = try RawClient.exchange(port: server.port, get("/small.txt"))
            #expect(fresh.status == 200)
            #expect(fresh.header("Connection")?.lowercased() == "close")
            // A connection thread that had not yet gone back to waiting when SIGTERM came closes
            // instead (the drain's rule for a response that finishes draining); the event loop
            // finished that response before it read the signal.
            try idle.send(get("/small.txt"))
            if mode == "event-loop" || idle.waitReadable(milliseconds: 1000) {
                if let last = try? idle.readResponse() {
                    #expect(last.status == 200)
                    #expect(last.header("Connection")?.lowercased() == "close")
                } else {
                    #expect(mode == "threads", "the kept-alive connection was closed without an answer")
                }
            }
            #expect(Date().timeIntervalSince(signalled) < 1.5, "the checks above took longer than the delay")
            #expect(server.waitForExit(timeout: 15) == 0)
            #expect(Date().timeIntervalSince(signalled) >= 1.4, "exited before the delay ended")
        }
    }
}
