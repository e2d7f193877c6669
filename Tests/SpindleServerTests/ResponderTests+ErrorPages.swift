import Foundation
import HTTP1
import Testing

@testable import SpindleServer

/// The site's own error pages (`error_pages`).
extension ResponderTests {
    func errorPagesResponder() throws -> Responder {
        try site.write("errors/403.html", "<p>forbidden here</p>")
        try site.write("errors/400.html", "<p>bad request here</p>")
        try site.write("errors/405.html", "<p>no such method</p>")
        try site.write("errors/408.txt", "too slow")
        try site.write("404.html", "<p>lost</p>")
        return try responder {
            $0.errorPages = [
                403: "errors/403.html", 404: "404.html", 400: "errors/400.html", 405: "errors/405.html",
                408: "errors/408.txt", 416: "errors/missing.html", 500: "errors",
            ]
        }
    }

    @Test func errorPagesKeepTheStatusAndTheirType() throws {
        let responder = try errorPagesResponder()
        let forbidden = try get("/empty/", using: responder)
        #expect(forbidden.status == 403)
        #expect(forbidden.text == "<p>forbidden here</p>")
        #expect(forbidden["Content-Type"] == "text/html; charset=utf-8")
        #expect(forbidden["Content-Length"] == "21")
        #expect(forbidden["ETag"] == nil)
        #expect(forbidden["Last-Modified"] == nil)
        #expect(forbidden["Cache-Control"] == nil)

        let notFound = try get("/nope", using: responder)
        #expect(notFound.status == 404)
        #expect(notFound.text == "<p>lost</p>")

        let head = try get("/nope", .head, using: responder)
        #expect(head.status == 404)
        #expect(head.body.isEmpty)
        #expect(head["Content-Length"] == "11")

        let method = try get("/hello.txt", .post, using: responder)
        #expect(method.status == 405)
        #expect(method["Allow"] == "GET, HEAD, OPTIONS")
        #expect(method.text == "<p>no such method</p>")

        let traversal = try get("/../x", using: responder)
        #expect(traversal.status == 400)
        #expect(traversal.text == "<p>bad request here</p>")
        #expect(!traversal.response.keepAlive)
    }

    @Test func missingOrUnusablePagesFallBackToTheBuiltInOne() throws {
        let responder = try errorPagesResponder()
        // 416's page does not exist; 500's is a directory: the generated pages, no loop.
        let range = try get("/hello.txt", headers: [("Range", "bytes=100-")], using: responder)
        #expect(range.status == 416)
        #expect(range.text.contains("416 Range Not Satisfiable"))
        #expect(range["Content-Range"] == "bytes */20")
        // Not configured: built in.
        #expect(try get("/hello.txt", .other, using: responder).text.contains("501 Not Implemented"))
        // The default configuration serves 404.html only.
        try site.write("403.html", "custom 403")
        #expect(try get("/empty/").text.contains("403 Forbidden"))
    }

    @Test func parserErrorsAndTimeoutsUseThePagesToo() throws {
        let responder = try errorPagesResponder()
        var out = [UInt8]()
        let bad = Answer(response: responder.respond(to: ParseError.repeatedHost, now: Self.now, into: &out), out: out)
        #expect(bad.status == 400)
        #expect(bad.text == "<p>bad request here</p>")
        #expect(bad["Connection"] == "close")
        #expect(bad.response.bodyLength == 23)

        out.removeAll()
        let request = Array("HEAD / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n".utf8)
        let head = request.withUnsafeBytes {
            Answer(
                response: responder.respond(to: ParseError.repeatedHost, request: $0, now: Self.now, into: &out),
                out: out)
        }
        #expect(head.body.isEmpty)
        #expect(head["Content-Length"] == "23")

        out.removeAll()
        let timeout = Answer(response: responder.respond(status: .requestTimeout, now: Self.now, into: &out), out: out)
        #expect(timeout.status == 408)
        #expect(timeout.text == "too slow")
        #expect(timeout["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test func largePagesAreSentFromTheFile() throws {
        try site.write("big408.html", String(repeating: "x", count: Int(OpenFile.inMemoryLimit) + 1))
        try site.write("big404.html", String(repeating: "y", count: Int(OpenFile.inMemoryLimit) + 1))
        let responder = try responder { $0.errorPages = [408: "big408.html", 404: "big404.html"] }
        var out = [UInt8]()
        let timeout = Answer(response: responder.respond(status: .requestTimeout, now: Self.now, into: &out), out: out)
        #expect(timeout.body.count == Int(OpenFile.inMemoryLimit) + 1)
        #expect(timeout["Content-Length"] == String(OpenFile.inMemoryLimit + 1))
        let missing = try get("/nope", using: responder)
        #expect(missing.body.count == Int(OpenFile.inMemoryLimit) + 1)
    }
}
