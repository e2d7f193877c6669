import Foundation
import Glibc
import Posix
import Testing

@testable import SpindleServer

struct ListingCacheTests {
    let site: TemporarySite
    let clock = ManualClock()

    init() throws {
        site = try TemporarySite()
        try site.write("d/a.txt", "a")
    }

    func cache(warmFor: Int64) throws -> ListingCache {
        let clock = self.clock
        let settings = Site(root: site.root.path, listing: true)
        let files = try FileCache(site: settings, clock: { clock.nanoseconds })
        return ListingCache(site: settings, files: files, clock: { clock.nanoseconds }, warmFor: warmFor)
    }

    func text(_ cache: ListingCache, _ path: String = "d", _ options: ListingOptions = ListingOptions()) -> String {
        switch cache.page(path, options) {
        case .success(let page): String(decoding: page.body, as: UTF8.self)
        case .failure(let error): "\(error)"
        }
    }

    /// Polls (bounded) for what a helper thread does.
    func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while !condition() && Date() < deadline { usleep(5000) }
        return condition()
    }

    @Test func aPageIsServedFromMemoryForTheTTL() throws {
        let cache = try cache(warmFor: 0)
        #expect(!text(cache).contains("b.txt"))
        try site.write("d/b.txt", "b")
        clock.nanoseconds += 900_000_000
        #expect(!text(cache).contains("b.txt"))
        #expect(!text(cache, "d", ListingOptions(json: true)).contains("b.txt"), "another form reuses the read")
        clock.nanoseconds += 200_000_000
        #expect(text(cache).contains("b.txt"))
        #expect(cache.warmCount == 0)
    }

    /// Asked for once, then again after it expired.
    func askTwice(_ cache: ListingCache, _ path: String = "d") -> String {
        _ = text(cache, path)
        clock.nanoseconds += 1_100_000_000
        return text(cache, path)
    }

    @Test func aPageInDemandIsRebuiltOnAHelperThread() throws {
        let cache = try cache(warmFor: 10_000_000_000)
        _ = text(cache)
        #expect(cache.warmCount == 0, "asked for once: no thread")
        #expect(!askTwice(cache).contains("b.txt"))
        #expect(cache.warmCount == 1)
        try site.write("d/b.txt", "b")
        // Past half the TTL, the page is still fresh, so a request does not rebuild it: only the helper
        // thread's rebuild can show b.txt.
        clock.nanoseconds += 600_000_000
        #expect(eventually { text(cache).contains("b.txt") })
    }

    @Test func askedForInTheSecondHalfOfItsTTLStartsKeepingWarm() throws {
        let cache = try cache(warmFor: 10_000_000_000)
        _ = text(cache)
        clock.nanoseconds += 400_000_000
        _ = text(cache)
        #expect(cache.warmCount == 0)
        clock.nanoseconds += 200_000_000
        _ = text(cache)
        #expect(cache.warmCount == 1)
    }

    @Test func keepingWarmStopsAfterAQuietSpellAndIsBounded() throws {
        let quick = try cache(warmFor: 100_000_000)
        _ = askTwice(quick)
        #expect(quick.warmCount == 1)
        #expect(eventually { quick.warmCount == 0 })

        let busy = try cache(warmFor: 10_000_000_000)
        for number in 0..<(ListingCache.maximumWarm + 4) {
            try site.directory("many/\(number)")
            _ = text(busy, "many/\(number)")
        }
        #expect(busy.warmCount == 0)
        clock.nanoseconds += 1_100_000_000
        for number in 0..<(ListingCache.maximumWarm + 4) {
            _ = text(busy, "many/\(number)")
        }
        #expect(busy.warmCount == ListingCache.maximumWarm)
    }

    @Test func errorsAreNotKeptWarm() throws {
        let cache = try cache(warmFor: 10_000_000_000)
        guard case .failure(let error) = cache.page("missing", ListingOptions()) else {
            return #expect(Bool(false))
        }
        #expect(error == .notFound)
        #expect(cache.warmCount == 0)
    }
}
