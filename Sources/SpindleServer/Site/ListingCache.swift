import Glibc
import Posix
import Synchronization

/// Rendered directory listings, by directory and form (sort, order, HTML or JSON), each trusted for the
/// file cache's TTL: within it a listing costs a copy of its bytes; after it, the next request reads
/// the directory again (one `fstatat` per entry) and renders it. That rebuild is the cost a huge
/// directory puts on the serving thread, once per TTL at most per form (BENCHMARKS.md measures it).
///
/// Shared like the file cache, under a Mutex that never covers a syscall or a rendering: two threads
/// may build the same listing at once, and the later one wins, which is harmless. A listing built
/// beneath a root that has since been swapped is not used.
final class ListingCache: @unchecked Sendable {
    struct Page: Sendable {
        var body: [UInt8]
        /// How many entries were shown, when the directory had more.
        var truncatedAt: Int?
    }

    private struct Key: Hashable {
        var path: String
        var options: ListingOptions
    }

    private struct Entry {
        var page: Page
        var root: FileCache.RootDirectory
        var builtAt: Int64
    }

    /// Most listings kept: a 10,000-entry page is about 1.5 MB of HTML, so this bounds the memory.
    static let capacity = 32

    private let files: FileCache
    private let includeDotfiles: Bool
    private let limit: Int
    private let ttl: Int64
    private let clock: () -> Int64
    private let table = Mutex<[Key: Entry]>([:])

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
        if let entry = table.withLock({ $0[key] }), entry.root === root, now &- entry.builtAt < ttl {
            return .success(entry.page)
        }
        let listing: DirectoryListing
        do {
            listing = try DirectoryListing.read(
                path, beneath: root.descriptor, includeDotfiles: includeDotfiles, limit: limit)
        } catch {
            return .failure(error)
        }
        let body =
            options.json
            ? ListingPage.json(listing, options: options)
            : ListingPage.html(listing, directory: path, options: options)
        let page = Page(body: body, truncatedAt: listing.truncated ? listing.entries.count : nil)
        table.withLock { entries in
            if entries[key] == nil && entries.count >= Self.capacity {
                let before = entries.count
                entries = entries.filter { now &- $0.value.builtAt < ttl }
                if entries.count == before, let first = entries.first { entries.removeValue(forKey: first.key) }
            }
            entries[key] = Entry(page: page, root: root, builtAt: now)
        }
        return .success(page)
    }
}
