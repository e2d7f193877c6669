import Foundation
import Testing

/// `curl -D - -o FILE`: the head as received and the body as curl wrote it (decoded with `--compressed`).
func curlDecoded(_ arguments: [String]) throws -> (head: HTTPResponse, body: [UInt8]) {
    let file = DocumentRoot.shared.scratch + "/curl-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: file) }
    let result = try curl(["-D", "-", "-o", file] + arguments)
    guard result.status == 0 else {
        throw HarnessError("curl \(arguments) failed (\(result.status)): \(result.stderr)")
    }
    guard case .complete(let head, _) = HTTPResponse.parse(result.stdout, forHead: true, atEOF: true) else {
        throw HarnessError("curl \(arguments): unparsable head \(String(decoding: result.stdout, as: UTF8.self))")
    }
    let body = (try? Data(contentsOf: URL(fileURLWithPath: file))).map(Array.init) ?? []
    return (head, body)
}

extension Integration {
    /// Precompressed variants through curl: negotiation, decoding, ranges and conditionals of the
    /// variant, Vary, stale variants and direct requests.
    @Suite struct PrecompressedTests {
        let site = DocumentRoot.shared
        let css = "/app.3f9a1c2b.css"

        func url(_ server: ServerProcess, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

        @Test(arguments: ServingMode.all)
        func compressedIsDecodedByCurl(mode: String) throws {
            try withServer(mode) { server in
                let (head, body) = try curlDecoded(["--compressed", url(server, css)])
                #expect(head.status == 200)
                #expect(head.header("Content-Encoding") == "br")
                #expect(head.header("Content-Type") == "text/css; charset=utf-8")
                #expect(head.header("Content-Length") == String(DocumentRoot.stylesheetBrotli.count))
                #expect(head.header("Vary") == "Accept-Encoding")
                expectBody(body, DocumentRoot.stylesheet)
            }
        }

        @Test(arguments: ServingMode.all)
        func qualityValuesChooseTheVariant(mode: String) throws {
            try withServer(mode) { server in
                let gzip = try curlResponse(["-H", "Accept-Encoding: br;q=0, gzip", url(server, css)])
                #expect(gzip.header("Content-Encoding") == "gzip")
                #expect(gzip.header("Vary") == "Accept-Encoding")
                expectBody(gzip.body, site.stylesheetGzip)
                let decoded = try curlDecoded(["--compressed", "-H", "Accept-Encoding: br;q=0, gzip", url(server, css)])
                expectBody(decoded.body, DocumentRoot.stylesheet)

                let identity = try curlResponse([url(server, css)])
                #expect(identity.header("Content-Encoding") == nil)
                #expect(identity.header("Vary") == "Accept-Encoding")
                expectBody(identity.body, DocumentRoot.stylesheet)
                let refused = try curlResponse(["-H", "Accept-Encoding: gzip;q=0, br;q=0", url(server, css)])
                #expect(refused.header("Content-Encoding") == nil)

                #expect(Set([gzip.header("ETag"), identity.header("ETag")]).count == 2)
            }
        }

        @Test(arguments: ServingMode.all)
        func rangesAndConditionalsApplyToTheVariant(mode: String) throws {
            try withServer(mode) { server in
                let gzipBytes = site.stylesheetGzip
                let range = try curlResponse(["-r", "0-9", "-H", "Accept-Encoding: gzip", url(server, css)])
                #expect(range.status == 206)
                #expect(range.header("Content-Encoding") == "gzip")
                #expect(range.header("Content-Range") == "bytes 0-9/\(gzipBytes.count)")
                #expect(range.header("Vary") == "Accept-Encoding")
                expectBody(range.body, Array(gzipBytes[0..<10]))

                let first = try curlResponse(["-H", "Accept-Encoding: gzip", url(server, css)])
                let lastModified = try #require(first.header("Last-Modified"))
                let notModified = try curlResponse([
                    "-z", lastModified, "-H", "Accept-Encoding: gzip", url(server, css),
                ])
                #expect(notModified.status == 304)
                #expect(notModified.header("Vary") == "Accept-Encoding")
                #expect(notModified.header("ETag") == first.header("ETag"))
                #expect(notModified.header("Cache-Control") == "public, max-age=31536000, immutable")

                let head = try curlResponse(["-I", "-H", "Accept-Encoding: br", url(server, css)], forHead: true)
                #expect(head.header("Content-Encoding") == "br")
                #expect(head.header("Vary") == "Accept-Encoding")
            }
        }

        @Test(arguments: ServingMode.all)
        func staleAndDirectVariants(mode: String) throws {
            try withServer(mode) { server in
                let stale = try curlResponse(["--compressed", url(server, "/old.txt")])
                #expect(stale.header("Content-Encoding") == nil)
                #expect(stale.header("Vary") == nil)
                #expect(stale.bodyText == "current text\n")

                let direct = try curlResponse(["-H", "Accept-Encoding: gzip", url(server, css + ".gz")])
                #expect(direct.status == 200)
                #expect(direct.header("Content-Type") == "application/gzip")
                #expect(direct.header("Content-Encoding") == nil)
                expectBody(direct.body, site.stylesheetGzip)

                let plain = try curlResponse(["--compressed", url(server, "/small.txt")])
                #expect(plain.header("Vary") == nil)
                #expect(plain.header("Content-Encoding") == nil)
            }
        }
    }

    /// The caching policy's Cache-Control, through curl.
    @Suite struct CachingPolicyTests {
        func url(_ server: ServerProcess, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

        @Test(arguments: ServingMode.all)
        func autoPolicy(mode: String) throws {
            try withServer(mode) { server in
                let expected: [(String, String?)] = [
                    ("/", "no-cache"), ("/index.html", "no-cache"),
                    ("/app.3f9a1c2b.css", "public, max-age=31536000, immutable"),
                    ("/small.txt", "public, max-age=3600"), ("/missing.txt", nil), ("/.hidden", nil),
                ]
                for (path, value) in expected {
                    let response = try curlResponse([url(server, path)])
                    #expect(response.header("Cache-Control") == value, "\(path)")
                }
                let first = try curlResponse([url(server, "/")])
                let lastModified = try #require(first.header("Last-Modified"))
                let revalidated = try curlResponse(["-z", lastModified, url(server, "/")])
                #expect(revalidated.status == 304)
                #expect(revalidated.header("Cache-Control") == "no-cache")
            }
        }

        @Test(arguments: ServingMode.all)
        func rulesAndMaxAgeFromTheConfigFile(mode: String) throws {
            let config = """
                cache_max_age = 60

                [[cache_rules]]
                match = "/subdir/*"
                cache_control = "public, max-age=604800"

                [[cache_rules]]
                match = "*.bin"
                cache_control = "no-store"
                """
            try withServer(mode, config: config) { server in
                let small = try curlResponse([url(server, "/small.txt")])
                #expect(small.header("Cache-Control") == "public, max-age=60")
                let subdir = try curlResponse([url(server, "/subdir/")])
                #expect(subdir.header("Cache-Control") == "public, max-age=604800")
                let medium = try curlResponse(["-r", "0-1", url(server, "/medium.bin")])
                #expect(medium.header("Cache-Control") == "no-store")
                let index = try curlResponse([url(server, "/")])
                #expect(index.header("Cache-Control") == "no-cache")
            }
        }

        @Test(arguments: ServingMode.all)
        func offAndReloadable(mode: String) throws {
            let server = try ServerProcess(mode: mode, config: "cache = \"off\"\nprecompressed = []\n")
            let configPath = try #require(server.configPath)
            try withStarted(server) { server in
                let off = try curlResponse(["--compressed", url(server, "/app.3f9a1c2b.css")])
                #expect(off.header("Cache-Control") == nil)
                #expect(off.header("Content-Encoding") == nil)
                #expect(off.header("Vary") == nil)
                try "cache = \"auto\"\nprecompressed = [\"gzip\"]\n".write(
                    toFile: configPath, atomically: true, encoding: .utf8)
                server.signal(SIGHUP)
                #expect(server.waitForStderr("configuration reloaded", count: 1, timeout: 10))
                let (on, body) = try curlDecoded(["--compressed", url(server, "/app.3f9a1c2b.css")])
                expectBody(body, DocumentRoot.stylesheet)
                #expect(on.header("Cache-Control") == "public, max-age=31536000, immutable")
                #expect(on.header("Content-Encoding") == "gzip")
            }
        }
    }
}
