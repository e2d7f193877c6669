import HTTP1
import Testing

@testable import SpindleServer

/// OPTIONS and CORS, as the Responder answers them.
extension ResponderTests {
    func corsResponder(_ origins: [String], maxAge: Int = 86_400) throws -> Responder {
        try responder { $0.cors = CORSPolicy(allowOrigins: origins, maxAge: maxAge) }
    }

    static let corsFields = [
        "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
    ]

    func expectNoCORS(_ answer: Answer, sourceLocation: SourceLocation = #_sourceLocation) {
        for name in Self.corsFields {
            #expect(answer[name] == nil, "\(name)", sourceLocation: sourceLocation)
        }
    }

    @Test func optionsIs204WithAllow() throws {
        for target in ["*", "/", "/hello.txt", "/missing"] {
            let answer = try get(target, .options)
            #expect(answer.status == 204, "\(target)")
            #expect(answer["Allow"] == "GET, HEAD, OPTIONS")
            #expect(answer["Content-Length"] == nil)
            #expect(answer.body.isEmpty)
            #expect(answer.response.keepAlive)
            expectNoCORS(answer)
        }
        #expect(try get("/../x", .options).status == 400)
    }

    @Test func listedOriginIsEchoed() throws {
        let responder = try corsResponder(["https://example.com", "http://localhost:5173"])
        let allowed = try get("/hello.txt", headers: [("Origin", "https://example.com")], using: responder)
        #expect(allowed.status == 200)
        #expect(allowed["Access-Control-Allow-Origin"] == "https://example.com")
        #expect(allowed["Vary"] == "Origin")
        let head = try get("/hello.txt", .head, headers: [("Origin", "http://localhost:5173")], using: responder)
        #expect(head["Access-Control-Allow-Origin"] == "http://localhost:5173")
        let missing = try get("/nope", headers: [("Origin", "https://example.com")], using: responder)
        #expect(missing.status == 404)
        #expect(missing["Access-Control-Allow-Origin"] == "https://example.com")

        let other = try get("/hello.txt", headers: [("Origin", "https://evil.example")], using: responder)
        #expect(other.status == 200)
        expectNoCORS(other)
        #expect(other["Vary"] == "Origin")
        let none = try get("/hello.txt", using: responder)
        expectNoCORS(none)
        #expect(none["Vary"] == "Origin")
        // `null` and look-alikes are not listed origins.
        for origin in ["null", "https://example.com.evil", "https://example.co", "https://example.com:443"] {
            expectNoCORS(try get("/hello.txt", headers: [("Origin", origin)], using: responder))
        }
    }

    @Test func anyOrigin() throws {
        let responder = try corsResponder(["*"])
        let answer = try get("/hello.txt", headers: [("Origin", "https://anyone.example")], using: responder)
        #expect(answer["Access-Control-Allow-Origin"] == "*")
        #expect(answer["Vary"] == nil)
        #expect(try get("/hello.txt", using: responder)["Access-Control-Allow-Origin"] == "*")
    }

    @Test func preflight() throws {
        let responder = try corsResponder(["https://example.com"], maxAge: 600)
        let answer = try get(
            "/fonts/a.woff2", .options,
            headers: [
                ("Origin", "https://example.com"), ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "x-requested-with, range"),
            ], using: responder)
        #expect(answer.status == 204)
        #expect(answer["Allow"] == "GET, HEAD, OPTIONS")
        #expect(answer["Access-Control-Allow-Origin"] == "https://example.com")
        #expect(answer["Access-Control-Allow-Methods"] == "GET, HEAD")
        #expect(answer["Access-Control-Allow-Headers"] == "x-requested-with, range")
        #expect(answer["Access-Control-Max-Age"] == "600")
        #expect(answer["Vary"] == "Origin")

        let withoutHeaders = try get(
            "*", .options, headers: [("Origin", "https://example.com"), ("Access-Control-Request-Method", "HEAD")],
            using: responder)
        #expect(withoutHeaders["Access-Control-Allow-Methods"] == "GET, HEAD")
        #expect(withoutHeaders["Access-Control-Allow-Headers"] == nil)

        let post = try get(
            "/x", .options, headers: [("Origin", "https://example.com"), ("Access-Control-Request-Method", "POST")],
            using: responder)
        #expect(post.status == 204)
        expectNoCORS(post)

        let stranger = try get(
            "/x", .options, headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET")],
            using: responder)
        #expect(stranger.status == 204)
        expectNoCORS(stranger)

        // Off: a preflight gets the plain 204.
        let off = try get(
            "/x", .options, headers: [("Origin", "https://example.com"), ("Access-Control-Request-Method", "GET")])
        expectNoCORS(off)
        #expect(off["Vary"] == nil)
    }
}
