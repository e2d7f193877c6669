import Foundation
import Glibc
import Testing

extension Integration {
    /// Directory listings over real sockets, both modes, through curl.
    @Suite struct ListingTests {
        /// Hostile names, each a file whose content is its own name.
        static let hostileNames = [
            "<script>alert(1).txt", "<img src=x onerror=alert(2)>.txt", "quote\"d.txt", "it's.txt", "a&amp;b.txt",
            "100%.txt", "#hash.txt",
            "what?x=1.txt", "with space.txt", "caf\u{E9} \u{1F600}.txt", "a:b.txt",
        ]
        /// "bad-" then two bytes that are not UTF-8.
        static let invalidName: [UInt8] = Array("bad-".utf8) + [0xFF, 0xFE]
        /// Sizes and modification times chosen so that each sort gives another order.
        static let sortable: [(name: String, size: Int, mtime: Int)] = [
            ("b.dat", 300, 1_600_000_000), ("a.dat", 100, 1_700_000_000), ("c.dat", 200, 1_500_000_000),
        ]

        /// A fresh root: hostile names, the sortable files, a subdirectory, a dotfile, a FIFO, symlinks in
        /// and out of the root.
        struct ListingRoot {
            let base: String
            var root: String { base + "/root" }

            init() throws {
                base = DocumentRoot.shared.scratch + "/listing-\(UUID().uuidString.prefix(8))"
                let fm = FileManager.default
                try fm.createDirectory(atPath: base + "/root/sub", withIntermediateDirectories: true)
                try fm.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
                for name in ListingTests.hostileNames { try write(name, Array(name.utf8)) }
                for file in ListingTests.sortable {
                    try write(file.name, [UInt8](repeating: 0x61, count: file.size))
                    try fm.setAttributes(
                        [.modificationDate: Date(timeIntervalSince1970: Double(file.mtime))],
                        ofItemAtPath: root + "/" + file.name)
                }
                try write("sub/inner.txt", Array("inner".utf8))
                try write(".hidden", Array("dot".utf8))
                try Data("outside secret".utf8).write(to: URL(fileURLWithPath: base + "/outside/secret.txt"))
                try fm.createSymbolicLink(
                    atPath: root + "/escape.txt", withDestinationPath: base + "/outside/secret.txt")
                try fm.createSymbolicLink(atPath: root + "/escape-dir", withDestinationPath: "../outside")
                try fm.createSymbolicLink(atPath: root + "/inside-link.txt", withDestinationPath: "a.dat")
                guard mkfifo(root + "/fifo", 0o600) == 0 else { throw HarnessError("mkfifo: \(errno)") }
                let path: [CChar] =
                    Array((root + "/").utf8CString.dropLast())
                    + ListingTests.invalidName.map {
                        CChar(bitPattern: $0)
                    } + [0]
                let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw HarnessError("cannot create the non-UTF-8 name: \(errno)") }
                close(fd)
            }

            func write(_ name: String, _ bytes: [UInt8]) throws {
                try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + name))
            }

            func remove() { try? FileManager.default.removeItem(atPath: base) }
        }

        func url(_ server: ServerProcess, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

        /// The hrefs of the page's table rows, in order.
        func links(_ page: String) -> [String] {
            page.components(separatedBy: "<tr><td><a href=\"").dropFirst().compactMap {
                $0.split(separator: "\"", maxSplits: 1).first.map(String.init)
            }
        }

        @Test(arguments: ServingMode.all)
        func hostileNamesAreEscapedAndTheirLinksWork(mode: String) throws {
            let listing = try ListingRoot()
            defer { listing.remove() }
            let server = try ServerProcess(mode: mode, root: listing.root, extraArguments: ["--listing"])
            try withStarted(server) { server in
                let response = try curlResponse([url(server, "/")])
                #expect(response.status == 200)
                #expect(response.header("Content-Type") == "text/html; charset=utf-8")
                #expect(response.header("Vary") == "Accept")
                let page = response.bodyText
                #expect(!page.contains("<script>"), "a name became markup")
                #expect(page.contains("&lt;script&gt;alert(1).txt") && !page.contains("<img"))
                #expect(page.contains("&lt;img src=x onerror=alert(2)&gt;.txt"))
                #expect(page.contains("quote&quot;d.txt") && page.contains("it&#39;s.txt"))
                #expect(page.contains("a&amp;amp;b.txt") && page.contains(">100%.txt<"))
                #expect(page.contains("caf\u{E9} \u{1F600}.txt") && page.contains("bad-\u{FFFD}\u{FFFD}"))
                #expect(!page.contains("<a href=\"/"), "links are relative")

                // Every link of a UTF-8 name leads to its file, whose content is the name.
                let hrefs = links(page)
                for name in Self.hostileNames {
                    let matching = hrefs.filter { $0.removingPercentEncoding == name }
                    #expect(matching.count == 1, "\(name): \(hrefs)")
                    guard let href = matching.first else { continue }
                    #expect(href.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "?") })
                    let file = try curlResponse([url(server, "/" + href)])
                    #expect(file.status == 200, "\(name) via \(href)")
                    #expect(file.bodyText == name)
                }
                // The non-UTF-8 name is linked byte for byte; such a path is refused (400), never misread.
                #expect(hrefs.contains("bad-%FF%FE"))
                #expect(try curlResponse([url(server, "/bad-%FF%FE")]).status == 400)
                // The parent link appears below the root, and the subdirectory lists.
                #expect(!hrefs.contains("../"))
                let sub = try curlResponse([url(server, "/sub/")])
                #expect(links(sub.bodyText) == ["../", "inner.txt"])
            }
        }

        @Test(arguments: ServingMode.all)
        func leavesOutDotfilesEscapesAndSpecialFiles(mode: String) throws {
            let listing = try ListingRoot()
            defer { listing.remove() }
            let server = try ServerProcess(mode: mode, root: listing.root, extraArguments: ["--listing"])
            try withStarted(server) { server in
                let hrefs = links(try curlResponse([url(server, "/")]).bodyText)
                for hidden in [".hidden", "escape.txt", "escape-dir/", "fifo"] {
                    #expect(!hrefs.contains(hidden), "\(hidden) is listed")
                }
                #expect(hrefs.contains("inside-link.txt") && hrefs.contains("sub/"))
                let json = try curlResponse(["-H", "Accept: application/json", url(server, "/")]).bodyText
                #expect(!json.contains("hidden") && !json.contains("escape") && !json.contains("fifo"))
            }
            try withStarted(
                try ServerProcess(mode: mode, root: listing.root, config: "listing = true\ndotfiles = \"allow\"")
            ) { server in
                let hrefs = links(try curlResponse([url(server, "/")]).bodyText)
                #expect(hrefs.contains(".hidden"))
                #expect(!hrefs.contains("escape.txt"))
            }
        }

        @Test(arguments: ServingMode.all)
        func sortsAndServesJSON(mode: String) throws {
            let listing = try ListingRoot()
            defer { listing.remove() }
            let server = try ServerProcess(mode: mode, root: listing.root, config: "listing = true")
            try withStarted(server) { server in
                func order(_ query: String) throws -> [String] {
                    let response = try curlResponse([url(server, "/" + query)])
                    return links(response.bodyText).filter { $0.hasSuffix(".dat") || $0.hasSuffix("/") }
                }
                #expect(try order("") == ["sub/", "a.dat", "b.dat", "c.dat"])
                #expect(try order("?sort=name&order=desc") == ["sub/", "c.dat", "b.dat", "a.dat"])
                #expect(try order("?sort=size") == ["sub/", "a.dat", "c.dat", "b.dat"])
                #expect(try order("?sort=size&order=desc") == ["sub/", "b.dat", "c.dat", "a.dat"])
                #expect(try order("?sort=mtime&order=asc") == ["sub/", "c.dat", "b.dat", "a.dat"])
                #expect(try order("?sort=mtime&order=desc") == ["sub/", "a.dat", "b.dat", "c.dat"])

                let byAccept = try curlResponse(["-H", "Accept: application/json", url(server, "/?sort=size")])
                #expect(byAccept.header("Content-Type") == "application/json")
                #expect(byAccept.header("Vary") == "Accept")
                let byQuery = try curlResponse([url(server, "/?sort=size&format=json")])
                #expect(byQuery.body == byAccept.body)
                let array = try #require(
                    try JSONSerialization.jsonObject(with: Data(byAccept.body)) as? [[String: Any]])
                let names = array.compactMap { $0["name"] as? String }
                #expect(Array(names.filter { $0.hasSuffix(".dat") }) == ["a.dat", "c.dat", "b.dat"])
                #expect(names.first == "sub")
                #expect(Set(Self.hostileNames).isSubset(of: Set(names)))
                let b = try #require(array.first { $0["name"] as? String == "b.dat" })
                #expect(b["type"] as? String == "file" && b["size"] as? Int == 300)
                #expect(b["mtime"] as? String == "2020-09-13T12:26:40Z")
                #expect(array.first?["type"] as? String == "directory")
                // A browser's Accept gets HTML.
                let browser = try curlResponse([
                    "-H", "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", url(server, "/"),
                ])
                #expect(browser.header("Content-Type") == "text/html; charset=utf-8")
            }
        }

        @Test(arguments: ServingMode.all)
        func truncationIsStatedInBothForms(mode: String) throws {
            let listing = try ListingRoot()
            defer { listing.remove() }
            try withStarted(
                try ServerProcess(mode: mode, root: listing.root, config: "listing = true\nlisting_max_entries = 3")
            ) { server in
                let html = try curlResponse([url(server, "/")])
                #expect(html.header("Listing-Truncated") == "3")
                #expect(links(html.bodyText).count == 3)
                #expect(html.bodyText.contains("showing the first 3 entries"))
                let json = try curlResponse([url(server, "/?format=json")])
                #expect(json.header("Listing-Truncated") == "3")
                #expect((try JSONSerialization.jsonObject(with: Data(json.body)) as? [Any])?.count == 3)
                let sub = try curlResponse([url(server, "/sub/")])
                #expect(sub.header("Listing-Truncated") == nil)
            }
        }

        @Test(arguments: ServingMode.all)
        func offByDefault(mode: String) throws {
            let listing = try ListingRoot()
            defer { listing.remove() }
            try withStarted(try ServerProcess(mode: mode, root: listing.root)) { server in
                let response = try curlResponse([url(server, "/")])
                #expect(response.status == 403)
            }
        }
    }
}
