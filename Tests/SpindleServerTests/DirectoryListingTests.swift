import Foundation
import Glibc
import Posix
import Testing

@testable import SpindleServer

struct DirectoryListingTests {
    let site: TemporarySite

    init() throws {
        site = try TemporarySite()
        try site.write("list/a.txt", "abc")
        try site.write("list/big.bin", String(repeating: "x", count: 5000))
        try site.write("list/sub/inner.txt", "i")
        try site.write("list/.dot", "hidden")
        try site.write("other.txt", "other")
        let list = site.root.appendingPathComponent("list").path
        #expect(mkfifo(list + "/fifo", 0o600) == 0)
        let links = [
            ("link-in", "a.txt"), ("link-up", "../other.txt"), ("link-dir", "sub"),
            ("link-out", site.outside.path), ("link-out-relative", "../../outside"), ("dangling", "missing"),
            ("loop", "loop"),
        ]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(atPath: list + "/" + name, withDestinationPath: target)
        }
        // A name that is not UTF-8: "f\xFF\xFE".
        let path: [CChar] = Array((list + "/f").utf8CString.dropLast()) + [-1, -2, 0]
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        close(fd)
    }

    func read(_ path: String = "list", dotfiles: Bool = false, limit: Int = 100) throws -> DirectoryListing {
        let root = try FileDescriptor.openDirectory(site.root.path)
        return try DirectoryListing.read(path, beneath: root, includeDotfiles: dotfiles, limit: limit)
    }

    func names(_ entries: [DirectoryListing.Entry]) -> [String] {
        entries.map { String(decoding: $0.name, as: UTF8.self) + ($0.isDirectory ? "/" : "") }
    }

    func names(_ listing: DirectoryListing, _ sort: DirectoryListing.Sort, descending: Bool) -> [String] {
        names(listing.order(by: sort, descending: descending).map { listing.entries[$0] })
    }

    @Test func listsFilesDirectoriesAndInsideLinksOnly() throws {
        let listing = try read()
        #expect(!listing.truncated)
        #expect(
            names(listing.entries) == [
                "link-dir/", "sub/", "a.txt", "big.bin", "f\u{FFFD}\u{FFFD}", "link-in", "link-up",
            ])
        let invalid = try #require(listing.entries.first { $0.name.first == UInt8(ascii: "f") })
        #expect(invalid.name == [UInt8(ascii: "f"), 0xFF, 0xFE])
        // A link inside is listed as its target.
        let linkIn = try #require(listing.entries.first { $0.name == Array("link-in".utf8) })
        #expect(linkIn.size == 3 && !linkIn.isDirectory)
        let sub = try #require(listing.entries.first { $0.name == Array("sub".utf8) })
        #expect(sub.size == 0 && sub.isDirectory && sub.modified > 1_600_000_000)
    }

    @Test func dotfilesOnlyWhenAllowed() throws {
        #expect(try read(dotfiles: true).entries.contains { $0.name == Array(".dot".utf8) })
        #expect(try !read(dotfiles: false).entries.contains { $0.name == Array(".dot".utf8) })
    }

    @Test func truncatesAtTheLimit() throws {
        let listing = try read(limit: 3)
        #expect(listing.truncated)
        #expect(listing.entries.count == 3)
        let exact = try read(limit: 7)
        #expect(!exact.truncated && exact.entries.count == 7)
    }

    @Test func theRootAndErrors() throws {
        #expect(try read("").entries.contains { $0.name == Array("other.txt".utf8) })
        #expect(throws: Errno.self) { try read("missing") }
        #expect(throws: Errno.self) { try read("other.txt") }
    }

    @Test func sortsDirectoriesFirstThenByKey() {
        func entry(_ name: String, _ directory: Bool, _ size: Int64, _ modified: Int64) -> DirectoryListing.Entry {
            DirectoryListing.Entry(name: Array(name.utf8), isDirectory: directory, size: size, modified: modified)
        }
        let listing = DirectoryListing(
            entries: [
                entry("b", false, 10, 3), entry("a", false, 30, 1), entry("c", false, 20, 2), entry("z", true, 0, 5),
                entry("d", false, 20, 9), entry("y", true, 0, 4),
            ], truncated: false)
        #expect(names(listing.entries) == ["y/", "z/", "a", "b", "c", "d"])
        #expect(names(listing, .name, descending: true) == ["z/", "y/", "d", "c", "b", "a"])
        #expect(names(listing, .size, descending: false) == ["y/", "z/", "b", "c", "d", "a"])
        #expect(names(listing, .size, descending: true) == ["z/", "y/", "a", "d", "c", "b"])
        #expect(names(listing, .mtime, descending: false) == ["y/", "z/", "a", "c", "b", "d"])
        #expect(names(listing, .mtime, descending: true) == ["z/", "y/", "d", "b", "c", "a"])
    }
}
