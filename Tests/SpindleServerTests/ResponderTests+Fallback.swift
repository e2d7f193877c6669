import HTTP1
import Testing

@testable import SpindleServer

/// Client-side routes answered with the fallback file.
extension ResponderTests {
    @Test func clientSideRoutesGetTheFallback() throws {
        let responder = try responder { $0.fallback = "index.html" }
        let direct = try get("/index.html", using: responder)
        for route in ["/settings/profile", "/settings/", "/a", "/docs/missing-page", "/hello.txt-not/x"] {
            let answer = try get(route, using: responder)
            #expect(answer.status == 200, "\(route)")
            #expect(answer.text == "<h1>home</h1>", "\(route)")
            #expect(answer["Content-Type"] == "text/html; charset=utf-8")
            #expect(answer["Cache-Control"] == "no-cache")
            #expect(answer["ETag"] == direct["ETag"])
            #expect(answer["Last-Modified"] == direct["Last-Modified"])
        }
        let head = try get("/settings/profile", .head, using: responder)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        let etag = try #require(direct["ETag"])
        #expect(try get("/route", headers: [("If-None-Match", etag)], using: responder).status == 304)
    }

    @Test func assetsAndProtectedPathsStay404() throws {
        let responder = try responder { $0.fallback = "index.html" }
        for path in ["/missing.js", "/img/x.png", "/.git/config", "/.env", "/hello.txt/"] {
            #expect(try get(path, using: responder).status == 404, "\(path)")
        }
        #expect(try get("/empty/", using: responder).status == 403)
        #expect(try get("/../x", using: responder).status == 400)
        #expect(try get("/route", .post, using: responder).status == 405)
        // Off by default, and a missing fallback file is a plain 404.
        #expect(try get("/settings/profile").status == 404)
        #expect(try get("/route", using: try self.responder { $0.fallback = "app.html" }).status == 404)
    }

    @Test func fallbackKeepsTheNoCacheEvenUnderARuleAndNegotiates() throws {
        try site.write("index.html.gz", "GZ")
        let responder = try responder {
            $0.fallback = "index.html"
            $0.cachePolicy = CachePolicy(rules: [.init(match: "*", cacheControl: "public, max-age=9")])
        }
        #expect(try get("/index.html", using: responder)["Cache-Control"] == "public, max-age=9")
        let route = try get("/route", headers: [("Accept-Encoding", "gzip")], using: responder)
        #expect(route["Cache-Control"] == "no-cache")
        #expect(route["Content-Encoding"] == "gzip")
        #expect(route["Vary"] == "Accept-Encoding")
        #expect(route.text == "GZ")
    }
}
