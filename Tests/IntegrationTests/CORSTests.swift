import Foundation
import Testing

extension Integration {
    /// OPTIONS and CORS through curl, both modes.
    @Suite struct CORSTests {
        func url(_ server: ServerProcess, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

        static let config = """
            [cors]
            allow_origins = ["https://example.com"]
            max_age = 600
            """

        @Test(arguments: ServingMode.all)
        func optionsIs204WithAllow(mode: String) throws {
            try withServer(mode) { server in
                let path = try curlResponse(["-X", "OPTIONS", url(server, "/index.html")], forHead: true)
                #expect(path.status == 204)
                #expect(path.header("Allow") == "GET, HEAD, OPTIONS")
                #expect(path.header("Access-Control-Allow-Origin") == nil)
                // `OPTIONS *` over a raw socket: curl cannot send an asterisk-form target portably.
                let client = try RawClient(port: server.port)
                try client.send("OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let star = try client.readResponse(forHead: true)
                #expect(star.status == 204)
                #expect(star.header("Allow") == "GET, HEAD, OPTIONS")
                #expect(star.header("Content-Length") == nil)
                // The connection stays usable.
                try client.send(get("/small.txt"))
                #expect(try client.readResponse().status == 200)
            }
        }

        @Test(arguments: ServingMode.all)
        func allowedOriginGetsCORSFields(mode: String) throws {
            try withServer(mode, config: Self.config) { server in
                let allowed = try curlResponse(["-H", "Origin: https://example.com", url(server, "/small.txt")])
                #expect(allowed.status == 200)
                #expect(allowed.header("Access-Control-Allow-Origin") == "https://example.com")
                #expect(allowed.headerValues("Vary").contains("Origin"))

                let preflight = try curlResponse(
                    [
                        "-X", "OPTIONS", "-H", "Origin: https://example.com", "-H",
                        "Access-Control-Request-Method: GET", "-H", "Access-Control-Request-Headers: range",
                        url(server, "/medium.bin"),
                    ], forHead: true)
                #expect(preflight.status == 204)
                #expect(preflight.header("Access-Control-Allow-Origin") == "https://example.com")
                #expect(preflight.header("Access-Control-Allow-Methods") == "GET, HEAD")
                #expect(preflight.header("Access-Control-Allow-Headers") == "range")
                #expect(preflight.header("Access-Control-Max-Age") == "600")
            }
        }

        @Test(arguments: ServingMode.all)
        func disallowedOriginGetsNoCORSField(mode: String) throws {
            try withServer(mode, config: Self.config) { server in
                for response in [
                    try curlResponse(["-H", "Origin: https://evil.example", url(server, "/small.txt")]),
                    try curlResponse(
                        [
                            "-X", "OPTIONS", "-H", "Origin: https://evil.example", "-H",
                            "Access-Control-Request-Method: GET", url(server, "/small.txt"),
                        ], forHead: true),
                    try curlResponse(
                        [
                            "-X", "OPTIONS", "-H", "Origin: https://example.com", "-H",
                            "Access-Control-Request-Method: DELETE", url(server, "/small.txt"),
                        ], forHead: true),
                ] {
                    #expect(!response.headers.contains { $0.name.lowercased().hasPrefix("access-control-") })
                }
            }
        }

        @Test(arguments: ServingMode.all)
        func anyOrigin(mode: String) throws {
            try withServer(mode, config: "cors = { allow_origins = [\"*\"] }") { server in
                let response = try curlResponse(["-H", "Origin: https://anyone.example", url(server, "/small.txt")])
                #expect(response.header("Access-Control-Allow-Origin") == "*")
                #expect(response.header("Vary") == nil)
            }
        }
    }
}
