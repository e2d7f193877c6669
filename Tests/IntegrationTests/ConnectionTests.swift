import Foundation
import Glibc
import Testing

extension Integration {
    /// Start-up, keep-alive, pipelining and incremental heads over one connection.
    @Suite struct ConnectionTests {
        let site = DocumentRoot.shared

        @Test(arguments: ServingMode.all)
        func startUpLineNamesModeAndRoot(mode: String) throws {
            try withServer(mode) { server in
                #expect(server.startLine.hasPrefix("spindle: listening on http://127.0.0.1:\(server.port) ("))
                #expect(server.startLine.hasSuffix("(\(mode), root \(site.root))"))
            }
        }

        @Test(arguments: ServingMode.all)
        func severalListenersAreListedAndServed(mode: String) throws {
            try withServer(mode, listeners: 2) { server in
                #expect(server.ports.count == 2)
                #expect(Set(server.ports).count == 2)
                for (index, port) in server.ports.enumerated() {
                    let client = try RawClient(port: port, host: "127.0.0.\(index + 1)")
                    try client.send(get("/small.txt"))
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    expectBody(response.body, site.small)
                }
            }
        }

        /// A client that shuts down its sending side after its requests still gets every answer, then
        /// the server closes.
        @Test(arguments: ServingMode.all)
        func halfClosedClientStillGetsItsAnswers(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send(get("/small.txt") + get("/medium.bin"))
                #expect(Glibc.shutdown(client.fd, Int32(SHUT_WR)) == 0)
                let first = try client.readResponse()
                #expect(first.status == 200)
                expectBody(first.body, site.small)
                let second = try client.readResponse()
                #expect(second.status == 200)
                expectBody(second.body, site.medium)
                #expect(try client.readUntilClose().isEmpty)
            }
        }

        @Test(arguments: ServingMode.all)
        func keepAliveServesTwoRequestsOnOneConnection(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send(get("/"))
                let first = try client.readResponse()
                #expect(first.status == 200)
                expectBody(first.body, site.index)
                #expect(first.header("Content-Type")?.hasPrefix("text/html") == true)
                #expect(first.header("Connection")?.lowercased() != "close")
                try client.send(get("/small.txt"))
                let second = try client.readResponse()
                #expect(second.status == 200)
                expectBody(second.body, site.small)
                #expect(second.header("Content-Length") == "1024")
            }
        }

        @Test(arguments: ServingMode.all)
        func connectionCloseIsHonoured(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send(get("/small.txt", "Connection: close\r\n"))
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.header("Connection")?.lowercased() == "close")
                #expect(try client.readUntilClose().isEmpty)
            }
        }

        @Test(arguments: ServingMode.all)
        func http10WithoutKeepAliveIsClosed(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send("GET /small.txt HTTP/1.0\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                expectBody(response.body, site.small)
                #expect(try client.readUntilClose().isEmpty)
            }
        }

        @Test(arguments: ServingMode.all)
        func twentyPipelinedRequestsInOneWriteAreAnsweredInOrder(mode: String) throws {
            let paths = (0..<20).map { ["/", "/small.txt", "/subdir/", "/missing.txt", "/medium.bin"][$0 % 5] }
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send(paths.map { get($0) }.joined())
                for (index, path) in paths.enumerated() {
                    let response = try client.readResponse()
                    if let expected = site.contents(of: path) {
                        #expect(response.status == 200, "response \(index) for \(path)")
                        expectBody(response.body, expected, "response \(index) for \(path)")
                    } else {
                        #expect(response.status == 404, "response \(index) for \(path)")
                    }
                }
                // The connection is still usable afterwards.
                try client.send(get("/small.txt"))
                try expectBody(client.readResponse().body, site.small)
            }
        }

        @Test(arguments: ServingMode.all)
        func requestFedOneByteAtATime(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                let request = Array(get("/subdir/index.html", "User-Agent: trickle\r\nAccept: */*\r\n").utf8)
                for byte in request { try client.send([byte]) }
                let response = try client.readResponse()
                #expect(response.status == 200)
                expectBody(response.body, site.subdirIndex)
                // And a second, whole, request on the same connection.
                try client.send(get("/"))
                try expectBody(client.readResponse().body, site.index)
            }
        }

        @Test(arguments: ServingMode.all)
        func headHasTheSameHeadersAsGetAndNoBody(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send(get("/medium.bin"))
                let full = try client.readResponse()
                try client.send(get("/medium.bin", method: "HEAD"))
                let head = try client.readResponse(forHead: true)
                #expect(head.status == 200)
                #expect(head.header("Content-Length") == String(site.medium.count))
                #expect(head.body.isEmpty)
                let strip = { (r: HTTPResponse) in r.headers.filter { $0.name.lowercased() != "date" }.map { "\($0)" } }
                #expect(strip(head) == strip(full))
                // Nothing followed the head: the next response starts cleanly.
                try client.send(get("/small.txt"))
                let next = try client.readResponse()
                #expect(next.status == 200)
                expectBody(next.body, site.small)
            }
        }
    }
}
