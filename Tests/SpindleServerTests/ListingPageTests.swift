import Foundation
import Testing

@testable import SpindleServer

struct ListingPageTests {
    static let hostile: [(name: [UInt8], text: String, link: String, json: String)] = [
        (
            Array("<script>alert(1)</script>".utf8), "&lt;script&gt;alert(1)&lt;/script&gt;",
            "%3Cscript%3Ealert%281%29%3C%2Fscript%3E", "<script>alert(1)</script>"
        ),
        (Array("a\"b'c&d".utf8), "a&quot;b&#39;c&amp;d", "a%22b%27c%26d", "a\\\"b'c&d"),
        (Array("100% #1 ?x=y.txt".utf8), "100% #1 ?x=y.txt", "100%25%20%231%20%3Fx%3Dy.txt", "100% #1 ?x=y.txt"),
        (Array("caf\u{E9} \u{1F600}".utf8), "caf\u{E9} \u{1F600}", "caf%C3%A9%20%F0%9F%98%80", "caf\u{E9} \u{1F600}"),
        ([0x66, 0xFF, 0xFE], "f\u{FFFD}\u{FFFD}", "f%FF%FE", "f\u{FFFD}\u{FFFD}"),
        (Array("tab\there\\".utf8), "tab\u{FFFD}here\\", "tab%09here%5C", "tab\u{FFFD}here\\\\"),
        (Array("a:b".utf8), "a:b", "a%3Ab", "a:b"),
    ]

    @Test(arguments: 0..<hostile.count)
    func hostileNamesAreEscaped(index: Int) {
        let (name, text, link, json) = Self.hostile[index]
        var out: [UInt8] = []
        ListingPage.appendText(name, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == text)
        out = []
        ListingPage.appendLink(name, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == link)
        out = []
        ListingPage.appendJSONString(name, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == json)
    }

    @Test func humanSizes() {
        let cases: [(Int64, String)] = [
            (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (10 * 1024, "10 KiB"),
            (256 * 1024, "256 KiB"), (100 * 1024 * 1024, "100 MiB"), (5 * 1024 * 1024 * 1024 + 1, "5.0 GiB"),
            (Int64.max, "8.0 EiB"),
        ]
        for (size, expected) in cases {
            var out: [UInt8] = []
            ListingPage.appendHumanSize(size, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == expected)
        }
    }

    @Test func iso8601() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00Z"), (1_700_000_000, "2023-11-14T22:13:20Z"), (-1, "1969-12-31T23:59:59Z"),
            (951_782_400, "2000-02-29T00:00:00Z"), (253_402_300_799, "9999-12-31T23:59:59Z"),
        ]
        for (seconds, expected) in cases {
            var out: [UInt8] = []
            ListingPage.appendISO8601(seconds, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == expected)
        }
    }

    static let listing = DirectoryListing(
        entries: [
            .init(name: Array("b.txt".utf8), isDirectory: false, size: 2048, modified: 1_700_000_000),
            .init(name: Array("<a>".utf8), isDirectory: true, size: 0, modified: 0),
        ], truncated: true)

    @Test func htmlPage() {
        let page = String(
            decoding: ListingPage.html(Self.listing, directory: "x/<y>", options: ListingOptions()), as: UTF8.self)
        #expect(page.contains("<title>Index of /x/&lt;y&gt;/</title>"))
        #expect(page.contains("<a href=\"../\">../</a>"))
        #expect(page.contains("<a href=\"%3Ca%3E/\">&lt;a&gt;/</a></td><td class=\"size\">-</td>"))
        #expect(page.contains("<a href=\"b.txt\">b.txt</a></td><td class=\"size\">2.0 KiB</td>"))
        #expect(page.contains("<time>2023-11-14T22:13:20Z</time>"))
        #expect(page.range(of: "&lt;a&gt;/")!.lowerBound < page.range(of: ">b.txt<")!.lowerBound)
        #expect(page.contains("showing the first 2 entries"))
        // The current sort's heading links to the reverse order, the others to ascending.
        #expect(page.contains("<a href=\"?sort=name&amp;order=desc\">Name \u{2191}</a>"))
        #expect(page.contains("<a href=\"?sort=size&amp;order=asc\">Size</a>"))
        #expect(!page.contains("<a>"))

        let root = String(
            decoding: ListingPage.html(Self.listing, directory: "", options: ListingOptions()), as: UTF8.self)
        #expect(root.contains("<title>Index of /</title>"))
        #expect(!root.contains("../"))
    }

    @Test func jsonArray() throws {
        let bytes = ListingPage.json(Self.listing, options: ListingOptions(sort: .size, descending: true))
        let array = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
        #expect(array.count == 2)
        #expect(array[0]["name"] as? String == "<a>" && array[0]["type"] as? String == "directory")
        #expect(array[1]["name"] as? String == "b.txt" && array[1]["type"] as? String == "file")
        #expect(array[1]["size"] as? Int == 2048 && array[1]["mtime"] as? String == "2023-11-14T22:13:20Z")
        let empty = ListingPage.json(DirectoryListing(entries: [], truncated: false), options: ListingOptions())
        #expect(try JSONSerialization.jsonObject(with: Data(empty)) as? [Any] != nil)
    }
}
