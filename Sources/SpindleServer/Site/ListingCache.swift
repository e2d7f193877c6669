import Glibc
import Posix
import Synchronization

/// Directory listings, read and rendered, each trusted for the file cache's TTL: within it a listing
/// costs a copy of its bytes; after it, the next request reads the directory again (one `fstatat` per
/// entry) and renders it. The entries read are shared by the forms (sort, order, HTML or JSON) of one
/// directory, so a client cycling through them makes one read a second and one rendering per form.
/// A listing that was asked for is kept warm for a while on a helper thread (`keepWarm`), so that the
/// rebuild of a huge directory does not stall the serving thread (BENCHMARKS.md measures it).
///
/// Shared like the file cache, under a Mutex that never covers a syscall or a rendering: two threads
/// may build the same listing at once, and the later one wins, which is harmless. Nothing built
/// beneath a root that has since been swapped is used.
final class ListingCache: @unchecked Sendable {
    struct Page: Sendable {
        var body: [UInt8]
        /// How many entries were shown, when the directory had more.
        var truncatedAt: Int?
    }

    private struct Key: Hashable, Sendable {
        var path: String
        var options: ListingOptions
    }

    /// What was built beneath which root, and when (for a page: when its entries were read).
    private struct Built<Value: Sendable>: Sendable {
        var value: Value
        var root: FileCache.RootDirectory
        var builtAt: Int64
    }

    private struct State: Sendable {
        var listings: [String: Built<DirectoryListing>] = [:]
        var pages: [Key: Built<Page>] = [:]
        /// Pages kept warm, with when (monotonic nanoseconds) each was last asked for.
        var warm: [Key: Int64] = [:]
    }

    /// Most directories and most pages kept: a 10,000-entry page is about 1.6 MB of HTML, so this
    /// bounds the memory.
    static let capacity = 32
    /// Most pages kept warm at once, each by a thread of its own: listing many directories must not
    /// buy a client many threads.
    static let maximumWarm = 4

    /// How long a page is kept warm after it was last asked for; 0 turns keeping warm off.
    private let warmFor: Int64
    private let files: FileCache
    private let includeDotfiles: Bool
    private let limit: Int
    private let ttl: Int64
    private let clock: () -> Int64
    private let table = Mutex(State())

    init(site: Site, files: FileCache, clock: @escaping () -> Int64, warmFor: Int64 = 5_000_000_000) {
        self.files = files
        self.warmFor = warmFor
        includeDotfiles = site.dotfiles == .allow
        limit = site.listingMaxEntries
        ttl = site.cacheTTLNanoseconds
        self.clock = clock
    }

    /// How many pages are being kept warm (by as many threads).
    var warmCount: Int { table.withLock { $0.warm.count } }

    /// The listing of `path` (relative to the root, "" for the root), or why it cannot be read.
    func page(_ path: String, _ options: ListingOptions) -> Result<Page, Errno> {
        let now = clock()
        let root = files.root(now: now)
        let key = Key(path: path, options: options)
        let ttl = self.ttl
        let askedAt = MonotonicClock.nanoseconds()
        let (page, isWarm) = table.withLock { state in
            let isWarm = state.warm[key] != nil
            if isWarm { state.warm[key] = askedAt }
            return (state.pages[key], isWarm)
        }
        if let page, page.root === root, now &- page.builtAt < ttl {
            // Asked for again in the second half of its TTL: in demand, so worth keeping warm.
            if !isWarm && now &- page.builtAt >= ttl / 2 { keepWarm(path, key, askedAt: askedAt) }
            return .success(page.value)
        }
        let built = build(path, key, root: root, now: now, reusingReadsYoungerThan: ttl)
        // Asked for again after it expired: in demand too. A listing asked for once (or many listings
        // asked for once each) starts no thread.
        if case .success = built, page != nil, !isWarm { keepWarm(path, key, askedAt: askedAt) }
        return built.map(\.value)
    }

    /// Reads the directory (or reuses a read younger than `maximumAge`, made for another form),
    /// renders the page, stores both.
    private func build(
        _ path: String, _ key: Key, root: FileCache.RootDirectory, now: Int64, reusingReadsYoungerThan maximumAge: Int64
    ) -> Result<Built<Page>, Errno> {
        let ttl = self.ttl
        var listing: Built<DirectoryListing>
        if let read = table.withLock({ $0.listings[path] }), read.root === root, now &- read.builtAt < maximumAge {
            listing = read
        } else {
            do {
                let entries = try DirectoryListing.read(
                    path, beneath: root.descriptor, includeDotfiles: includeDotfiles, limit: limit)
                listing = Built(value: entries, root: root, builtAt: now)
            } catch {
                return .failure(error)
            }
        }
        let body =
            key.options.json
            ? ListingPage.json(listing.value, options: key.options)
            : ListingPage.html(listing.value, directory: path, options: key.options)
        let rendered = Built(
            value: Page(body: body, truncatedAt: listing.value.truncated ? listing.value.entries.count : nil),
            root: root, builtAt: listing.builtAt)
        table.withLock { state in
            Self.store(listing, at: path, in: &state.listings, now: now, ttl: ttl)
            Self.store(rendered, at: key, in: &state.pages, now: now, ttl: ttl)
        }
        return .success(rendered)
    }

    /// Once a listing is asked for again (in the second half of its TTL, or after it expired), a helper
    /// thread rebuilds it every half TTL for as long as it keeps being asked for (`warmFor` after the
    /// last time), so that the next requests find it fresh (never more than a TTL old) and no longer
    /// pay for the rebuild, tens of milliseconds for 10,000 entries, mostly `fstatat`. The first
    /// request, a second one after expiry, and one after a quiet spell still build on the serving
    /// thread. Its own clock readings (the injected clock for the
    /// pages' ages, the monotonic one for the quiet spell) are made on that thread.
    private func keepWarm(_ path: String, _ key: Key, askedAt: Int64) {
        guard warmFor > 0 else { return }
        let started = table.withLock { state -> Bool in
            guard state.warm[key] == nil, state.warm.count < Self.maximumWarm else { return false }
            state.warm[key] = askedAt
            return true
        }
        guard started else { return }
        do {
            try PosixThread.spawn(stackSize: 512 * 1024) { self.warm(path, key) }
        } catch {
            // No thread to be had: requests after expiry build it, as without keeping warm.
            table.withLock { _ = $0.warm.removeValue(forKey: key) }
        }
    }

    private func warm(_ path: String, _ key: Key) {
        let ttl = self.ttl
        let warmFor = self.warmFor
        while true {
            usleep(UInt32(clamping: max(1, ttl / 2 / 1000)))
            let now = MonotonicClock.nanoseconds()
            let quiet = table.withLock { state -> Bool in
                guard let askedAt = state.warm[key], now &- askedAt < warmFor else {
                    state.warm[key] = nil
                    return true
                }
                return false
            }
            if quiet { return }
            let pageNow = clock()
            let root = files.root(now: pageNow)
            if case .failure = build(path, key, root: root, now: pageNow, reusingReadsYoungerThan: ttl / 2) {
                table.withLock { _ = $0.warm.removeValue(forKey: key) }
                return
            }
        }
    }

    /// Stores `built`, making room first: expired entries go, or if none, an arbitrary one.
    private static func store<Key: Hashable, Value: Sendable>(
        _ built: Built<Value>, at key: Key, in table: inout [Key: Built<Value>], now: Int64, ttl: Int64
    ) {
        table.insert(built, at: key, capacity: capacity) { now &- $0.builtAt < ttl }
    }
}
