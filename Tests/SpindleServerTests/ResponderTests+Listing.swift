import Foundation
import HTTP1
import Testing

@testable import SpindleServer

/// Directory listings through the Responder: when they apply, their fields, their cache.
extension ResponderTests {
    @Test func listingIsOffByDefault() throws {
        #expect(try get("/empty/").status == 403)
    }

    @Test func listingOfADirectoryWithoutIndex() throws {
        try site.write("files/one.txt", "1")
        let responder = try responder { $0.listing = true }
        let answer = try get("/files/", using: responder)
        #expect(answer.status == 200)
        #expect(answer["Content-Type"] == "text/html; charset=utf-8")
        #expect(answer["Vary"] == "Accept")
        #expect(answer["Cache-Control"] == "no-cache")
        #expect(answer["ETag"] == nil && answer["Listing-Truncated"] == nil)
        #expect(answer["Content-Length"] == "\(answer.body.count)")
        #expect(answer.text.contains("<a href=\"one.txt\">one.txt</a>"))
        // A directory with an index still gets its index; without the slash, the redirect.
        #expect(try get("/docs/", using: responder).text == "docs index")
        #expect(try get("/files", using: responder).status == 301)
        // The root lists itself, dotfiles left out.
        let root = try get(
            "/",
            using: try self.responder {
                $0.listing = true; $0.indexFiles = []
            })
        #expect(root.text.contains("hello.txt") && !root.text.contains(".secret"))
    }

    @Test func listingAsJSONAndHead() throws {
        let responder = try responder { $0.listing = true }
        let byAccept = try get("/empty/", headers: [("Accept", "application/json")], using: responder)
        #expect(byAccept["Content-Type"] == "application/json" && byAccept["Vary"] == "Accept")
        #expect(byAccept.text == "[\n]\n")
        let byQuery = try get("/empty/?format=json", using: responder)
        #expect(byQuery.text == byAccept.text)
        let head = try get("/empty/", .head, using: responder)
        #expect(head.status == 200 && head.body.isEmpty && Int(head["Content-Length"] ?? "") ?? 0 > 0)
    }

    @Test func truncatedListingSaysSo() throws {
        for number in 0..<5 { try site.write("many/\(number).txt", "x") }
        let responder = try responder {
            $0.listing = true
            $0.listingMaxEntries = 3
        }
        let html = try get("/many/", using: responder)
        #expect(html["Listing-Truncated"] == "3")
        #expect(html.text.contains("showing the first 3 entries"))
        let json = try get("/many/?format=json", using: responder)
        #expect(json["Listing-Truncated"] == "3")
        let array = try JSONSerialization.jsonObject(with: Data(json.body)) as? [Any]
        #expect(array?.count == 3)
    }

    @Test func listingIsFreshAfterTheTTL() throws {
        try site.write("changing/a.txt", "a")
        let responder = try responder { $0.listing = true }
        #expect(try !get("/changing/", using: responder).text.contains("b.txt"))
        try site.write("changing/b.txt", "b")
        clock.nanoseconds += 1_100_000_000
        #expect(try get("/changing/", using: responder).text.contains("b.txt"))
    }

    @Test func listingOfAnUnreadableDirectoryIsAnError() throws {
        try site.directory("locked")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o000], ofItemAtPath: site.root.appendingPathComponent("locked").path)
        defer {
            try? FileManager.default.setAttributes(
                [.posixPermissions: 0o755], ofItemAtPath: site.root.appendingPathComponent("locked").path)
        }
        let status = try get("/locked/", using: try responder { $0.listing = true }).status
        // root reads any directory: then the (empty) listing is right too.
        #expect(status == (getuid() == 0 ? 200 : 403))
    }
}
