import Testing

extension Integration {
    /// Request bodies, which Spindle reads and throws away so that the requests behind them can be
    /// read: both codings, pipelined behind them, malformed, and too large.
    @Suite struct RequestBodyTests {
        private let next = "GET /small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let site = DocumentRoot.shared

        /// RFC 9112 §7.1: a recipient must be able to parse chunked. The connection and the request
        /// pipelined behind the body both survive.
        @Test(arguments: ServingMode.all)
        func chunkedBodyThenAPipelinedRequestAreBothAnswered(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send(
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=\"v\"\r\nhello\r\n1A\r\n" + String(repeating: "x", count: 26) + "\r\n0\r\n"
                        + "X-Trailer: yes\r\n\r\n" + next)
                let first = try client.readResponse()
                #expect(first.status == 200)
                #expect(first.header("Connection") == nil)
                let second = try client.readResponse()
                #expect(second.status == 200)
                expectBody(second.body, site.small)
            }
        }

        /// The same, with the body arriving a byte at a time.
        @Test(arguments: ServingMode.all)
        func chunkedBodyFedOneByteAtATime(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                let request =
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                for byte in request.utf8 { try client.send([byte]) }
                try client.send(next)
                #expect(try client.readResponse().status == 200)
                #expect(try client.readResponse().status == 200)
            }
        }

        @Test(arguments: ServingMode.all)
        func contentLengthBodyThenAPipelinedRequestAreBothAnswered(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\nGET / H" + next)
                #expect(try client.readResponse().status == 200)
                let second = try client.readResponse()
                expectBody(second.body, site.small)
            }
        }

        /// nginx and lighttpd answer 400; the framing of whatever follows is unknown, so the connection ends.
        @Test(
            arguments: ServingMode.all,
            [
                "zz\r\n", "+5\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n",
                "5\r\nhelloX\r\n0\r\n\r\n", "5 \r\nhello\r\n0\r\n\r\n", "fffffffffffffffff\r\n",
                "0\r\nBad Trailer: x\r\n\r\n", "0\r\n\n",
            ])
        func malformedChunkedBodyIs400AndClosed(mode: String, body: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
                let response = try client.readResponse()
                #expect(response.status == 400, "\(body.debugDescription)")
                #expect(response.header("Connection")?.lowercased() == "close")
                #expect(try client.readUntilClose().isEmpty)
            }
        }

        /// Over the discard limit (64 KiB by default) the body is not read: 413, and the connection ends.
        @Test(arguments: ServingMode.all)
        func bodyOverTheLimitIs413(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 413)
                #expect(response.header("Connection")?.lowercased() == "close")

                let chunked = try RawClient(port: server.port)
                try chunked.send(
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "8000\r\n" + String(repeating: "a", count: 0x8000) + "\r\n"
                        + "8001\r\n" + String(repeating: "b", count: 0x8001) + "\r\n0\r\n\r\n")
                #expect(try chunked.readResponse().status == 413)
            }
        }
    }
}
