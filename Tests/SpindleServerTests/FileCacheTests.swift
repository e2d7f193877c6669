import Foundation
import Glibc
import Posix
import Testing

@testable import SpindleServer

struct FileCacheTests {
    let site: TemporarySite
    let clock = ManualClock()

    init() throws {
        site = try TemporarySite()
        for number in 0..<10 { try site.write("f\(number).txt", "file \(number)") }
        try site.write("sub/index.html", "index")
    }

    func cache(capacity: Int = 512) throws -> FileCache {
        let clock = self.clock
        return try FileCache(site: Site(root: site.root.path, cacheCapacity: capacity), clock: { clock.nanoseconds })
    }

    @Test func freshHitsReturnTheSameOpenFile() throws {
        let cache = try cache()
        guard case .file(let first) = cache.resolve("f1.txt"), case .file(let second) = cache.resolve("f1.txt") else {
            Issue.record("expected files")
            return
        }
        #expect(first === second)
        #expect(String(decoding: first.contentTypeLine, as: UTF8.self) == "Content-Type: text/plain; charset=utf-8\r\n")
        #expect(first.size == 6)
    }

    @Test func unchangedFileKeepsItsOpenFileAfterRevalidation() throws {
        let cache = try cache()
        guard case .file(let first) = cache.resolve("f1.txt") else { return #expect(Bool(false)) }
        clock.nanoseconds += 2_000_000_000
        guard case .file(let again) = cache.resolve("f1.txt") else { return #expect(Bool(false)) }
        #expect(first === again)
    }

    @Test func directoriesCarryTheirIndex() throws {
        let cache = try cache()
        guard case .directory(let index?) = cache.resolve("sub") else { return #expect(Bool(false)) }
        #expect(index.size == 5)
        guard case .directory(let rootIndex) = cache.resolve("") else { return #expect(Bool(false)) }
        #expect(rootIndex == nil)
    }

    @Test func failuresAreErrnos() throws {
        let cache = try cache()
        guard case .failure(let error) = cache.resolve("missing") else { return #expect(Bool(false)) }
        #expect(error == .notFound)
        guard case .failure(let notDirectory) = cache.resolve("f1.txt/x") else { return #expect(Bool(false)) }
        #expect(notDirectory == .notDirectory)
    }

    @Test func sizeIsBounded() throws {
        let cache = try cache(capacity: 4)
        for number in 0..<10 { _ = cache.resolve("f\(number).txt") }
        #expect(cache.count <= 4)
        #expect(cache.count >= 1)
    }

    /// The deploy recipe: `current` is a symlink to a release, swapped atomically with `mv -T`.
    @Test func symlinkedRootIsReResolvedOncePerTTL() throws {
        let base = site.outside.path
        for release in ["1", "2"] {
            try FileManager.default.createDirectory(
                atPath: "\(base)/releases/\(release)", withIntermediateDirectories: true)
            try Data("release \(release)".utf8).write(to: URL(fileURLWithPath: "\(base)/releases/\(release)/a.txt"))
        }
        try FileManager.default.createSymbolicLink(atPath: "\(base)/current", withDestinationPath: "releases/1")
        let clock = self.clock
        let cache = try FileCache(site: Site(root: "\(base)/current"), clock: { clock.nanoseconds })
        guard case .file(let first) = cache.resolve("a.txt") else { return #expect(Bool(false)) }
        #expect(first.contents == Array("release 1".utf8))

        try FileManager.default.createSymbolicLink(atPath: "\(base)/current.tmp", withDestinationPath: "releases/2")
        #expect(rename("\(base)/current.tmp", "\(base)/current") == 0)
        // Within the TTL, the old release (no syscall to notice the swap).
        clock.nanoseconds += 500_000_000
        guard case .file(let cached) = cache.resolve("a.txt") else { return #expect(Bool(false)) }
        #expect(cached === first)
        clock.nanoseconds += 500_000_000
        guard case .file(let second) = cache.resolve("a.txt") else { return #expect(Bool(false)) }
        #expect(second.contents == Array("release 2".utf8))
        // The old release deleted: nothing changes, and the old OpenFile still reads its own bytes.
        try FileManager.default.removeItem(atPath: "\(base)/releases/1")
        clock.nanoseconds += 2_000_000_000
        guard case .file(let third) = cache.resolve("a.txt") else { return #expect(Bool(false)) }
        #expect(third === second)
        var buffer = [UInt8](repeating: 0, count: 9)
        let count = try buffer.withUnsafeMutableBytes { try first.descriptor.read(at: 0, into: $0) }
        #expect(count == 9 && buffer == Array("release 1".utf8))
    }

    @Test func danglingRootKeepsTheLastGoodOne() throws {
        let clock = self.clock
        let link = site.outside.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: site.root.path)
        let cache = try FileCache(site: Site(root: link), clock: { clock.nanoseconds })
        try FileManager.default.removeItem(atPath: link)
        clock.nanoseconds += 2_000_000_000
        guard case .file = cache.resolve("f1.txt") else { return #expect(Bool(false)) }
    }

    @Test func missingRootThrows() {
        #expect(throws: Errno.self) {
            _ = try FileCache(site: Site(root: site.root.path + "/nope"), clock: { 0 })
        }
    }
}
