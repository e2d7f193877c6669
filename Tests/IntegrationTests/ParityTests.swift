import Foundation
import Testing

extension Integration {
    /// Both serving modes run the same parser and Responder: their answers must be identical, byte for
    /// byte, apart from the Date field line.
    @Suite struct ParityTests {
        /// Raw requests, each sent on a fresh connection; ETAG and LASTMOD are filled in from a first response.
        static let requests: [String] = [
            get("/"),
            get("/index.html"),
            get("/small.txt"),
            get("/small.txt", method: "HEAD"),
            get("/medium.bin", "Range: bytes=0-99\r\n"),
            get("/small.txt", "Range: bytes=-10\r\n"),
            get("/small.txt", "Range: bytes=1000-\r\n"),
            get("/small.txt", "Range: bytes=0-9,20-29\r\n"),
            get("/small.txt", "Range: bytes=5000-6000\r\n"),
            get("/small.txt", "Range: bytes=abc\r\n"),
            get("/small.txt", "If-None-Match: ETAG\r\n"),
            get("/small.txt", "If-None-Match: \"something-else\"\r\n"),
            get("/small.txt", "If-Modified-Since: LASTMOD\r\n"),
            get("/small.txt", "If-Range: ETAG\r\nRange: bytes=0-4\r\n"),
            get("/small.txt", "If-Range: \"stale\"\r\nRange: bytes=0-4\r\n"),
            get("/small.txt", "If-None-Match: ETAG\r\n", method: "HEAD"),
            get("/subdir"),
            get("/subdir/"),
            get("/missing.html"),
            get("/missing.html", method: "HEAD"),
            get("/.hidden"),
            get("/../secret.txt"),
            get("/%2e%2e/secret.txt"),
            get("/escape.txt"),
            get("/small.txt?x=1", "Connection: close\r\n"),
            get("http://127.0.0.1/small.txt"),
            get("/", method: "DELETE"),
            "POST /small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello",
            get("/", method: "BREW"),
            "GET /small.txt HTTP/1.0\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n",
            get("/" + String(repeating: "x", count: 9000)),
            get("/", "X-Big: \(String(repeating: "y", count: 40_000))\r\n"),
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            // Precompressed variants and the caching policy.
            get("/app.3f9a1c2b.css"),
            get("/app.3f9a1c2b.css", "Accept-Encoding: gzip, deflate, br, zstd\r\n"),
            get("/app.3f9a1c2b.css", "Accept-Encoding: br;q=0, gzip\r\n"),
            get("/app.3f9a1c2b.css", "Accept-Encoding: gzip\r\nRange: bytes=0-4\r\n"),
            get("/app.3f9a1c2b.css", "Accept-Encoding: br\r\n", method: "HEAD"),
            get("/app.3f9a1c2b.css.gz", "Accept-Encoding: gzip\r\n"),
            get("/old.txt", "Accept-Encoding: gzip\r\n"),
        ]

        /// The site features that need configuring: CORS, a fallback, error pages.
        static let siteConfig = """
            fallback = "app/index.html"

            [[cache_rules]]
            match = "/subdir/*"
            cache_control = "public, max-age=60"

            [error_pages]
            400 = "errors/403.html"
            404 = "errors/403.html"
            505 = "errors/403.html"

            [cors]
            allow_origins = ["https://example.com"]
            """

        static let siteRequests: [String] = [
            get("/settings/profile"),
            get("/settings/profile", "Accept-Encoding: gzip\r\n", method: "HEAD"),
            get("/missing.js"),
            get("/missing.js", method: "HEAD"),
            get("/../secret.txt"),
            "GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n",
            get("/subdir/"),
            get("/small.txt", "Origin: https://example.com\r\n"),
            get("/small.txt", "Origin: https://evil.example\r\n"),
            get("/app.3f9a1c2b.css", "Origin: https://example.com\r\nAccept-Encoding: br\r\n"),
            get("/", method: "OPTIONS"),
            "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            get(
                "/small.txt",
                "Origin: https://example.com\r\nAccess-Control-Request-Method: GET\r\n"
                    + "Access-Control-Request-Headers: range\r\n", method: "OPTIONS"),
            get(
                "/small.txt", "Origin: https://example.com\r\nAccess-Control-Request-Method: PUT\r\n", method: "OPTIONS"
            ),
        ]

        @Test func bothModesAnswerIdentically() throws {
            try compare(config: nil, Self.requests)
        }

        @Test func bothModesAnswerIdenticallyWithSiteFeatures() throws {
            try compare(config: Self.siteConfig, Self.siteRequests + Self.requests)
        }

        func compare(config: String?, _ requests: [String]) throws {
            let eventLoop = try ServerProcess(mode: "event-loop", config: config)
            defer { eventLoop.kill() }
            let threads = try ServerProcess(mode: "threads", config: config)
            defer { threads.kill() }

            let first = try RawClient.exchange(port: eventLoop.port, get("/small.txt"))
            let etag = try #require(first.header("ETag"))
            let lastModified = try #require(first.header("Last-Modified"))
            for template in requests {
                let request = template.replacingOccurrences(of: "ETAG", with: etag)
                    .replacingOccurrences(of: "LASTMOD", with: lastModified)
                let isHead = request.hasPrefix("HEAD ")
                let a = try RawClient.exchange(port: eventLoop.port, request, forHead: isHead)
                let b = try RawClient.exchange(port: threads.port, request, forHead: isHead)
                let left = normalised(a)
                let right = normalised(b)
                #expect(
                    left == right,
                    """
                    \(request.prefix(120).debugDescription)
                    event-loop: \(String(decoding: left.prefix(600), as: UTF8.self))
                    threads:    \(String(decoding: right.prefix(600), as: UTF8.self))
                    """)
            }
            #expect(eventLoop.stop() == 0, "\(eventLoop.stderr)")
            #expect(threads.stop() == 0, "\(threads.stderr)")
        }

        /// Without the Date line, and with a multipart boundary (which may be random) replaced by a fixed one.
        func normalised(_ response: HTTPResponse) -> [UInt8] {
            var text = String(decoding: response.rawWithoutDate, as: UTF8.self)
            if let type = response.header("Content-Type"), let range = type.range(of: "boundary=") {
                let boundary = String(type[range.upperBound...])
                if !boundary.isEmpty { text = text.replacingOccurrences(of: boundary, with: "BOUNDARY") }
            }
            return Array(text.utf8)
        }
    }
}
