import Foundation
import Glibc
import HTTP1
import Testing

@testable import SpindleServer

/// Precompressed variants and the caching policy, as the Responder answers them.
extension ResponderTests {
    /// app.js with .gz and .br beside it (fake compressed bytes: only their identity matters here).
    func writeVariants() throws {
        try site.write("app.js", "console.log('original, uncompressed')")
        try site.write("app.js.gz", "GZIP-BYTES")
        try site.write("app.js.br", "BROTLI")
    }

    func setModificationTime(_ path: String, _ seconds: TimeInterval) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: seconds)],
            ofItemAtPath: site.root.appendingPathComponent(path).path)
    }

    @Test func variantIsChosenByAcceptEncoding() throws {
        try writeVariants()
        let gzip = try get("/app.js", headers: [("Accept-Encoding", "gzip")])
        #expect(gzip.status == 200)
        #expect(gzip.text == "GZIP-BYTES")
        #expect(gzip["Content-Encoding"] == "gzip")
        #expect(gzip["Content-Type"] == "text/javascript; charset=utf-8")
        #expect(gzip["Content-Length"] == "10")
        #expect(gzip["Vary"] == "Accept-Encoding")
        #expect(gzip["ETag"]?.hasSuffix("-gzip\"") == true)

        let brotli = try get("/app.js", headers: [("Accept-Encoding", "gzip, deflate, br")])
        #expect(brotli.text == "BROTLI")
        #expect(brotli["Content-Encoding"] == "br")
        #expect(brotli["ETag"] != gzip["ETag"])

        let refused = try get("/app.js", headers: [("Accept-Encoding", "br;q=0, gzip")])
        #expect(refused["Content-Encoding"] == "gzip")

        let identity = try get("/app.js")
        #expect(identity.text == "console.log('original, uncompressed')")
        #expect(identity["Content-Encoding"] == nil)
        #expect(identity["Vary"] == "Accept-Encoding")
        #expect(Set([identity["ETag"], gzip["ETag"], brotli["ETag"]]).count == 3)

        let head = try get("/app.js", .head, headers: [("Accept-Encoding", "gzip")])
        #expect(head.body.isEmpty)
        #expect(head["Content-Length"] == "10")
        #expect(head["Vary"] == "Accept-Encoding")
        #expect(head["Content-Encoding"] == "gzip")
    }

    @Test func varyOnlyForFilesWithVariants() throws {
        try writeVariants()
        #expect(try get("/hello.txt", headers: [("Accept-Encoding", "gzip")])["Vary"] == nil)
        #expect(try get("/nope.js", headers: [("Accept-Encoding", "gzip")])["Vary"] == nil)
        // A direct request for the variant serves that file as it is.
        let direct = try get("/app.js.gz", headers: [("Accept-Encoding", "gzip")])
        #expect(direct.text == "GZIP-BYTES")
        #expect(direct["Content-Type"] == "application/gzip")
        #expect(direct["Content-Encoding"] == nil)
        #expect(direct["Vary"] == nil)
        // Turned off: no variant, no Vary.
        let off = try get(
            "/app.js", headers: [("Accept-Encoding", "gzip")], using: try responder { $0.precompressed = [] })
        #expect(off["Content-Encoding"] == nil)
        #expect(off["Vary"] == nil)
        // Only the configured codings, in the configured order.
        let gzipFirst = try responder { $0.precompressed = [.gzip, .br] }
        #expect(try get("/app.js", headers: [("Accept-Encoding", "br, gzip")], using: gzipFirst).text == "GZIP-BYTES")
    }

    @Test func staleVariantIsIgnored() throws {
        try writeVariants()
        try setModificationTime("app.js", 1_700_000_000)
        try setModificationTime("app.js.br", 1_600_000_000)
        try setModificationTime("app.js.gz", 1_700_000_000)
        let answer = try get("/app.js", headers: [("Accept-Encoding", "br, gzip")])
        #expect(answer["Content-Encoding"] == "gzip")
        try setModificationTime("app.js.gz", 1_699_999_999)
        let none = try get("/app.js", headers: [("Accept-Encoding", "br, gzip")])
        #expect(none["Content-Encoding"] == nil)
        #expect(none["Vary"] == nil)
    }

    @Test func variantsOutsideTheRootOrNotRegularAreIgnored() throws {
        try site.write("app.js", "original")
        try "outside".write(to: site.outside.appendingPathComponent("app.js.gz"), atomically: true, encoding: .utf8)
        #expect(
            symlink(
                site.outside.appendingPathComponent("app.js.gz").path,
                site.root.appendingPathComponent("app.js.gz").path)
                == 0)
        try site.directory("app.js.br")
        let answer = try get("/app.js", headers: [("Accept-Encoding", "gzip, br")])
        #expect(answer.text == "original")
        #expect(answer["Content-Encoding"] == nil)
        #expect(answer["Vary"] == nil)
    }

    @Test func variantAppearingOrChangingIsNoticedAfterTTL() throws {
        let responder = try responder()
        #expect(try get("/style.css", headers: [("Accept-Encoding", "gzip")], using: responder)["Vary"] == nil)
        try site.write("style.css.gz", "GZ")
        clock.nanoseconds += 1_000_000_001
        let found = try get("/style.css", headers: [("Accept-Encoding", "gzip")], using: responder)
        #expect(found.text == "GZ")
        try site.write("style.css.gz", "GZ2")
        clock.nanoseconds += 1_000_000_001
        #expect(try get("/style.css", headers: [("Accept-Encoding", "gzip")], using: responder).text == "GZ2")
    }

    @Test func conditionalsAndRangesApplyToTheVariant() throws {
        try writeVariants()
        let gzip = try get("/app.js", headers: [("Accept-Encoding", "gzip")])
        let etag = try #require(gzip["ETag"])
        let notModified = try get("/app.js", headers: [("Accept-Encoding", "gzip"), ("If-None-Match", etag)])
        #expect(notModified.status == 304)
        #expect(notModified["Vary"] == "Accept-Encoding")
        #expect(notModified["Cache-Control"] == "public, max-age=3600")
        // The identity tag does not match the variant.
        #expect(try get("/app.js", headers: [("If-None-Match", etag)]).status == 200)

        let range = try get("/app.js", headers: [("Accept-Encoding", "gzip"), ("Range", "bytes=0-3")])
        #expect(range.status == 206)
        #expect(range.text == "GZIP")
        #expect(range["Content-Range"] == "bytes 0-3/10")
        #expect(range["Content-Encoding"] == "gzip")
        #expect(range["Vary"] == "Accept-Encoding")
        let ifRange = try get(
            "/app.js", headers: [("Accept-Encoding", "gzip"), ("Range", "bytes=0-3"), ("If-Range", etag)])
        #expect(ifRange.status == 206)
        // Several ranges of a variant: the whole variant.
        let many = try get("/app.js", headers: [("Accept-Encoding", "gzip"), ("Range", "bytes=0-1,4-5")])
        #expect(many.status == 200)
        #expect(many.text == "GZIP-BYTES")
        let unsatisfiable = try get("/app.js", headers: [("Accept-Encoding", "gzip"), ("Range", "bytes=50-")])
        #expect(unsatisfiable.status == 416)
        #expect(unsatisfiable["Content-Range"] == "bytes */10")
        #expect(unsatisfiable["Cache-Control"] == nil)
    }

    @Test func variantsOfIndexFiles() throws {
        try site.write("index.html.gz", "GZ-INDEX")
        let answer = try get("/", headers: [("Accept-Encoding", "gzip")])
        #expect(answer.text == "GZ-INDEX")
        #expect(answer["Content-Type"] == "text/html; charset=utf-8")
        #expect(answer["Cache-Control"] == "no-cache")
    }

    @Test func cacheControlByPolicy() throws {
        try site.write("assets/app.3f9a1c2b.js", "x")
        try site.write("fonts/a.woff2", "f")
        #expect(try get("/index.html")["Cache-Control"] == "no-cache")
        #expect(try get("/")["Cache-Control"] == "no-cache")
        #expect(try get("/style.css")["Cache-Control"] == "public, max-age=3600")
        #expect(try get("/assets/app.3f9a1c2b.js")["Cache-Control"] == "public, max-age=31536000, immutable")
        #expect(try get("/missing.css")["Cache-Control"] == nil)
        #expect(try get("/docs")["Cache-Control"] == nil)
        let ruled = try responder {
            $0.cachePolicy = CachePolicy(
                maxAge: 60, rules: [.init(match: "/fonts/*", cacheControl: "public, max-age=604800")])
        }
        #expect(try get("/fonts/a.woff2", using: ruled)["Cache-Control"] == "public, max-age=604800")
        #expect(try get("/style.css", using: ruled)["Cache-Control"] == "public, max-age=60")
        let off = try responder { $0.cachePolicy.mode = .off }
        #expect(try get("/index.html", using: off)["Cache-Control"] == nil)
        #expect(try get("/style.css", using: off)["Cache-Control"] == nil)
    }
}
