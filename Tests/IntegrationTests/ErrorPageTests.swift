import Foundation
import Testing

extension Integration {
    /// `error_pages` for every error Spindle sends, parser errors and timeouts included, both modes.
    @Suite struct ErrorPageTests {
        static let config = """
            [timeouts]
            head = 1

            [error_pages]
            400 = "errors/403.html"
            404 = "errors/403.html"
            408 = "errors/403.html"
            414 = "errors/403.html"
            431 = "errors/403.html"
            501 = "errors/403.html"
            505 = "errors/403.html"
            416 = "errors/missing.html"
            """

        static let requests: [(String, Int)] = [
            (get("/missing.txt"), 404),
            (get("/../secret.txt"), 400),
            (get("/" + String(repeating: "x", count: 9000)), 414),
            (get("/", "X-Big: \(String(repeating: "y", count: 40_000))\r\n"), 431),
            ("GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505),
            (get("/", method: "BREW"), 501),
        ]

        @Test(arguments: ServingMode.all)
        func everyErrorGetsThePage(mode: String) throws {
            try withServer(mode, config: Self.config) { server in
                for (request, status) in Self.requests {
                    let response = try RawClient.exchange(port: server.port, request)
                    #expect(response.status == status)
                    #expect(response.header("Content-Type") == "text/html; charset=utf-8", "\(status)")
                    expectBody(response.body, DocumentRoot.forbiddenPage, "\(status)")
                    #expect(response.header("Cache-Control") == nil)
                }
                let head = try RawClient.exchange(port: server.port, get("/missing.txt", method: "HEAD"), forHead: true)
                #expect(head.status == 404)
                #expect(head.body.isEmpty)
                #expect(head.header("Content-Length") == String(DocumentRoot.forbiddenPage.count))

                // A missing page: the built-in one.
                let range = try curlResponse(["-r", "5000-", "http://127.0.0.1:\(server.port)/small.txt"])
                #expect(range.status == 416)
                #expect(range.bodyText.contains("416 Range Not Satisfiable"))

                // A head that does not arrive in time.
                let slow = try RawClient(port: server.port, timeout: 10)
                try slow.send("GET /small.txt HTTP/1.1\r\n")
                let timedOut = try slow.readResponse()
                #expect(timedOut.status == 408)
                expectBody(timedOut.body, DocumentRoot.forbiddenPage, "408")
            }
        }

        /// A page too large to be held in memory goes out from the file, after a timed-out head too.
        @Test(arguments: ServingMode.all)
        func largePageAfterATimeout(mode: String) throws {
            try withServer(mode, config: "timeouts.head = 0.5\nerror_pages = { 408 = \"medium.bin\" }") { server in
                let slow = try RawClient(port: server.port, timeout: 10)
                try slow.send("GET /small.txt HTTP/1.1\r\n")
                let response = try slow.readResponse()
                #expect(response.status == 408)
                #expect(response.header("Content-Type") == "application/octet-stream")
                expectBody(response.body, DocumentRoot.shared.medium)
            }
        }

        @Test(arguments: ServingMode.all)
        func defaultKeepsThe404Page(mode: String) throws {
            try withServer(mode) { server in
                let response = try curlResponse(["http://127.0.0.1:\(server.port)/missing.txt"])
                #expect(response.status == 404)
                #expect(response.bodyText.contains("404 Not Found"))
            }
        }
    }
}
