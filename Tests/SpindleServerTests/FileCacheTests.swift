import Foundation
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

    @Test func missingRootThrows() {
        #expect(throws: Errno.self) {
            _ = try FileCache(site: Site(root: site.root.path + "/nope"), clock: { 0 })
        }
    }
}
