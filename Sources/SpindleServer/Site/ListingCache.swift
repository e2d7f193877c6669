import Glibc
import Posix
import Synchronization

/// Directory listings, read and rendered, each trusted for the file cache's TTL: within it a listing
/// costs a copy of its bytes; after it, the next request reads the directory again (one `fstatat` per
/// entry) and renders it. The entries read are shared by the forms (sort, order, HTML or JSON) of one
/// directory, so a client cycling through them makes one read a second and one rendering per form.
/// A listing in steady demand is rebuilt ahead of expiry on a helper thread (`refreshInBackground`), so
/// that the rebuild of a huge directory does not stall the serving thread (BENCHMARKS.md measures it).
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
        /// Pages being rebuilt in the background.
        var refreshing: Set<Key> = []
    }

    /// Most directories and most pages kept: a 10,000-entry page is about 1.6 MB of HTML, so this
    /// bounds the memory.
    static let capacity = 32

    private let files: FileCache
    private let includeDotfiles: Bool
    private let limit: Int
    private let ttl: Int64
    private let clock: () -> Int64
    private let table = Mutex(State())

    init(site: Site, files: FileCache, clock: @escaping () -> Int64) {
        self.files = files
        includeDotfiles = site.dotfiles == .allow
        limit = site.listingMaxEntries
        ttl = site.cacheTTLNanoseconds
        self.clock = clock
    }

    /// The listing of `path` (relative to the root, "" for the root), or why it cannot be read.
    func page(_ path: String, _ options: ListingOptions) -> Result<Page, Errno> {
        let now = clock()
        let root = files.root(now: now)
        let key = Key(path: path, options: options)
        let ttl = self.ttl
        let page = table.withLock { $0.pages[key] }
        if let page, page.root === root, now &- page.builtAt < ttl {
            if now &- page.builtAt >= ttl / 2 { refreshInBackground(path, key, root: root, now: now) }
            return .success(page.value)
        }
        return build(path, key, root: root, now: now, reusingReadsYoungerThan: ttl).map(\.value)
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

    /// A listing requested in its second half-TTL is rebuilt on a thread of its own while the serving
    /// thread goes on answering with the current one, which is still fresh: a listing in steady demand
    /// is never more than a TTL old, and its rebuild (tens of milliseconds for 10,000 entries, mostly
    /// `fstatat`) never stalls the event loop. One rebuild per page at a time. A listing asked for
    /// rarely is built on the serving thread, as it has expired by then. The thread is given the
    /// request's `now` rather than a clock, so that the page's age is counted from before its read.
    private func refreshInBackground(_ path: String, _ key: Key, root: FileCache.RootDirectory, now: Int64) {
        guard table.withLock({ $0.refreshing.insert(key).inserted }) else { return }
        let ttl = self.ttl
        do {
            try PosixThread.spawn(stackSize: 512 * 1024) {
                _ = self.build(path, key, root: root, now: now, reusingReadsYoungerThan: ttl / 2)
                self.table.withLock { _ = $0.refreshing.remove(key) }
            }
        } catch {
            // No thread to be had: the first request after expiry builds it instead.
            table.withLock { _ = $0.refreshing.remove(key) }
        }
    }

    /// Stores `built`, making room first: expired entries go, or if none, an arbitrary one.
    private static func store<Key: Hashable, Value: Sendable>(
        _ built: Built<Value>, at key: Key, in table: inout [Key: Built<Value>], now: Int64, ttl: Int64
    ) {
        if table[key] == nil && table.count >= capacity {
            let before = table.count
            table = table.filter { now &- $0.value.builtAt < ttl }
            if table.count == before, let first = table.first { table.removeValue(forKey: first.key) }
        }
        table[key] = built
    }
}
