import Testing

extension Integration {
    /// Malformed, unsupported and ambiguous requests: the right status, and no framing trusted afterwards.
    @Suite struct BadRequestTests {
        /// Sends `request`, expects `status`, and (when `closes`) that the server then closes the connection.
        func expect(
            _ server: ServerProcess, _ request: String, status: Int, closes: Bool = true,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let client = try RawClient(port: server.port)
            try client.send(request)
            let response = try client.readResponse()
            #expect(response.status == status, "\(request.debugDescription)", sourceLocation: sourceLocation)
            #expect(
                response.header("Content-Length") != nil, "\(request.debugDescription)", sourceLocation: sourceLocation)
            if closes {
                #expect(
                    response.header("Connection")?.lowercased() == "close", "\(request.debugDescription)",
                    sourceLocation: sourceLocation)
                let after = try client.readUntilClose()
                #expect(after.isEmpty, "bytes after the error response", sourceLocation: sourceLocation)
            }
        }

        /// After `Expect: 100-continue` the client may keep the body it announced once it has a final
        /// answer; counting its next request as that body would desynchronise the connection.
        @Test(arguments: ServingMode.all)
        func expectContinueWithABodyIsAnsweredAndClosed(mode: String) throws {
            try withServer(mode) { server in
                try expect(
                    server, "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
                    status: 405)
            }
        }

        /// A directory named with an encoded slash: the relative Location must lead back to it.
        @Test(arguments: ServingMode.all)
        func redirectLocationKeepsTheSegmentAsSent(mode: String) throws {
            try withServer(mode) { server in
                let response = try RawClient.exchange(port: server.port, get("/sub%64ir?x=1"))
                #expect(response.status == 301)
                #expect(response.header("Location") == "sub%64ir/?x=1")
                let dotted = try RawClient.exchange(port: server.port, get("/subdir/.."))
                #expect(dotted.status == 200)  // "/subdir/.." is the root, whose index is served
            }
        }

        @Test(arguments: ServingMode.all)
        func malformedRequestsAre400(mode: String) throws {
            try withServer(mode) { server in
                try expect(server, "GET / HTTP/1.1\r\n\r\n", status: 400)  // no Host
                try expect(server, "GET / HTTP/1.1\r\nHost:\r\n\r\n", status: 400)  // empty Host
                try expect(server, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400)
                try expect(server, "GET / HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n", status: 400)
                try expect(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: 1\r\n folded\r\n\r\n", status: 400)
                try expect(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\rb\r\n\r\n", status: 400)
                try expect(server, "GET / HTTP/1.x\r\nHost: 127.0.0.1\r\n\r\n", status: 400)
                try expect(server, "GET  / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", status: 400)
                try expect(server, "GET /a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", status: 400)
                try expect(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n", status: 400)
                try expect(server, "\u{1}\u{2}\u{3}\r\n\r\n", status: 400)
            }
        }

        @Test(arguments: ServingMode.all)
        func missingFileIs404AndKeepsTheConnection(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send(get("/no/such/file.html"))
                let response = try client.readResponse()
                #expect(response.status == 404)
                #expect(response.header("Content-Type")?.hasPrefix("text/html") == true)
                try client.send(get("/small.txt"))
                #expect(try client.readResponse().status == 200)
            }
        }

        @Test(arguments: ServingMode.all)
        func otherKnownMethodsAre405WithAllow(mode: String) throws {
            try withServer(mode) { server in
                for method in ["POST", "PUT", "DELETE", "PATCH"] {
                    let client = try RawClient(port: server.port)
                    try client.send("\(method) /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
                    let response = try client.readResponse()
                    #expect(response.status == 405, "\(method)")
                    let allow = (response.header("Allow") ?? "").split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                    #expect(Set(allow) == ["GET", "HEAD", "OPTIONS"], "\(method)")
                }
            }
        }

        @Test(arguments: ServingMode.all)
        func unknownMethodIs501(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port)
                try client.send("BREW /pot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(try client.readResponse().status == 501)
            }
        }

        @Test(arguments: ServingMode.all)
        func overlongRequestLineIs414(mode: String) throws {
            try withServer(mode) { server in
                try expect(server, get("/" + String(repeating: "a", count: 9000)), status: 414)
            }
        }

        @Test(arguments: ServingMode.all)
        func oversizedHeadIs431(mode: String) throws {
            try withServer(mode) { server in
                try expect(server, get("/", "X-Big: \(String(repeating: "b", count: 40_000))\r\n"), status: 431)
                let many = (0..<150).map { "X-Field-\($0): \($0)\r\n" }.joined()
                try expect(server, get("/", many), status: 431)
            }
        }

        @Test(arguments: ServingMode.all)
        func unsupportedVersionIs505(mode: String) throws {
            try withServer(mode) { server in
                try expect(server, "GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", status: 505)
                try expect(server, "GET / HTTP/3.0\r\nHost: 127.0.0.1\r\n\r\n", status: 505)
            }
        }

        @Test(arguments: ServingMode.all)
        func contentLengthWithTransferEncodingIs400AndClosed(mode: String) throws {
            try withServer(mode) { server in
                // The classic CL.TE smuggling shape: a second request hidden in the body.
                let smuggled = "GET /small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                try expect(
                    server,
                    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\n" + smuggled, status: 400)
                try expect(
                    server,
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                        + "0\r\n\r\n", status: 400)
            }
        }

        @Test(arguments: ServingMode.all)
        func twoDifferentContentLengthsAre400AndClosed(mode: String) throws {
            try withServer(mode) { server in
                try expect(
                    server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n",
                    status: 400)
                try expect(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1, 2\r\n\r\n", status: 400)
            }
        }

        /// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked has no reliable length;
        /// the server MUST answer 400 and close.
        @Test(arguments: ServingMode.all)
        func transferEncodingNotEndingInChunkedIs400AndClosed(mode: String) throws {
            try withServer(mode) { server in
                try expect(server, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400)
            }
        }

        @Test(arguments: ServingMode.all)
        func tlsClientHelloIsAnsweredAndClosedAtOnce(mode: String) throws {
            try withServer(mode) { server in
                let client = try RawClient(port: server.port, timeout: 3)
                // The start of a TLS 1.2 ClientHello record: handshake(0x16), version 3.1, length, type 1.
                try client.send(
                    [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]
                        + [UInt8](repeating: 0x42, count: 32))
                // Either a 400 then close, or a close: never waiting for more bytes (that would time out here).
                let received = try client.readUntilClose()
                if !received.isEmpty {
                    guard case .complete(let response, _) = HTTPResponse.parse(received, forHead: false, atEOF: true)
                    else {
                        Issue.record("not an HTTP response: \(received.prefix(64))")
                        return
                    }
                    #expect(response.status == 400)
                }
            }
        }
    }
}
