import Glibc
import HTTP1
import Posix
import Synchronization

/// Relative path → what is there, kept open for `ttl`: a fresh hit costs a dictionary lookup and no
/// syscall. After the TTL the path is re-opened and re-stat'ed (beneath the root, so the check is as
/// strict as the first open); an unchanged file keeps its `OpenFile`, a changed or replaced one gets a
/// new one. So a change on disk is served within one TTL, and a length is never staler than that.
/// Failures (404s) are cached too, which keeps floods of missing paths off the filesystem.
///
/// Shared by every Responder of a server: the threads mode's connection threads use one cache (and
/// one root descriptor) instead of a descriptor-hungry, cold cache each. A Mutex guards the table,
/// never a syscall: opening happens outside the lock, so two threads may open the same path at once
/// and the later result wins, which is harmless. (`@unchecked`: the clock is MonotonicClock, or a
/// test's single-threaded fake.)
final class FileCache: @unchecked Sendable {
    enum Resolution {
        case file(OpenFile)
        /// A directory, with its first regular index file if there is one.
        case directory(index: OpenFile?)
        case failure(Errno)
    }

    private struct Entry {
        var resolution: Resolution
        var checkedAt: Int64
    }

    private let root: FileDescriptor
    private let indexFiles: [String]
    private let mimeTypes: MimeTypes
    private let precompressed: [ContentCoding]
    private let cachePolicy: CachePolicy
    private let ttl: Int64
    private let capacity: Int
    private let clock: () -> Int64
    /// The entries, and how many lookups were fresh hits or had to open (for `/metrics`).
    private struct Table {
        var entries: [String: Entry] = [:]
        var hits = 0
        var misses = 0
    }

    private let table = Mutex(Table())

    init(site: Site, clock: @escaping () -> Int64) throws(Errno) {
        root = try FileDescriptor.openDirectory(site.root)
        indexFiles = site.indexFiles
        mimeTypes = MimeTypes(overrides: site.mimeOverrides)
        precompressed = site.precompressed
        cachePolicy = site.cachePolicy
        ttl = site.cacheTTLNanoseconds
        capacity = max(1, site.cacheCapacity)
        self.clock = clock
        table.withLock { $0.entries.reserveCapacity(capacity) }
    }

    var count: Int { table.withLock { $0.entries.count } }

    /// Lookups answered from the cache, and lookups that opened the path, since the start.
    var lookups: (hits: Int, misses: Int) { table.withLock { ($0.hits, $0.misses) } }

    func resolve(_ path: String) -> Resolution {
        let now = clock()
        let ttl = self.ttl
        let cached = table.withLock { table -> Entry? in
            let entry = table.entries[path]
            if let entry, now &- entry.checkedAt < ttl {
                table.hits &+= 1
            } else {
                table.misses &+= 1
            }
            return entry
        }
        if let cached, now &- cached.checkedAt < ttl {
            return cached.resolution
        }
        var resolution = open(path)
        if case .failure(let error) = resolution, Self.isTransient(error) {
            // Out of descriptors or memory says nothing about the file: ask again next time.
            return resolution
        }
        if let previous = cached?.resolution {
            resolution = Self.keepingUnchanged(previous, fresh: resolution)
        }
        let capacity = self.capacity
        let stored = resolution
        table.withLock { table in
            if table.entries[path] == nil && table.entries.count >= capacity {
                // Expired entries first; if none, an arbitrary one. Not LRU: tracking recency would cost
                // every hit a write, and a static site's working set usually fits.
                let before = table.entries.count
                table.entries = table.entries.filter { now &- $0.value.checkedAt < ttl }
                if table.entries.count == before, let first = table.entries.first {
                    table.entries.removeValue(forKey: first.key)
                }
            }
            table.entries[path] = Entry(resolution: stored, checkedAt: now)
        }
        return resolution
    }

    private static func isTransient(_ error: Errno) -> Bool {
        [EMFILE, ENFILE, ENOMEM, EAGAIN, EINTR].contains(error.code)
    }

    /// Drops every entry (closing the descriptors no response still holds).
    func removeAll() { table.withLock { $0.entries.removeAll(keepingCapacity: true) } }

    private func open(_ path: String) -> Resolution {
        switch openFile(path) {
        case .failure(let error) where error.code == EMFILE || error.code == ENFILE:
            // Out of descriptors: our own cache may be what holds them.
            removeAll()
            return openFile(path)
        case let other:
            return other
        }
    }

    private func openFile(_ path: String) -> Resolution {
        do throws(Errno) {
            let descriptor = try root.openBeneath(path)
            let status = try descriptor.status()
            if status.isRegular {
                return .file(makeOpenFile(descriptor, status, path))
            }
            guard status.isDirectory else {
                // Sockets, devices: not content. nginx answers 404 too.
                return .failure(Errno(ENOENT, "open"))
            }
            descriptor.close()
            for name in indexFiles {
                let indexPath = path.isEmpty ? name : path + "/" + name
                guard let index = try? root.openBeneath(indexPath), let indexStatus = try? index.status(),
                    indexStatus.isRegular
                else { continue }
                return .directory(index: makeOpenFile(index, indexStatus, indexPath))
            }
            return .directory(index: nil)
        } catch {
            return .failure(error)
        }
    }

    /// The file at `path` with its caching policy and its precompressed variants: the regular files
    /// `path.br`, `path.zst`, `path.gz` (as configured), opened beneath the root like the file itself,
    /// and only when at least as new as it, so that a stale `.gz` left after an edit is never served.
    /// Looked for here, once per cache entry, so that a hot file costs no syscall per request.
    private func makeOpenFile(_ descriptor: consuming FileDescriptor, _ status: FileStatus, _ path: String) -> OpenFile
    {
        let contentType = mimeTypes.contentType(forPath: path)
        let cacheControl = cachePolicy.cacheControl(forPath: "/" + path, contentType: contentType)
        var variants: [OpenFile] = []
        for coding in precompressed {
            guard let variant = try? root.openBeneath(path + coding.fileSuffix) else { continue }
            guard let variantStatus = try? variant.status(), variantStatus.isRegular,
                !Self.isOlder(variantStatus, than: status)
            else { continue }
            variants.append(
                OpenFile(
                    descriptor: variant, status: variantStatus, contentType: contentType, coding: coding,
                    cacheControl: cacheControl))
        }
        return OpenFile(
            descriptor: descriptor, status: status, contentType: contentType, cacheControl: cacheControl,
            variants: variants)
    }

    private static func isOlder(_ status: FileStatus, than other: FileStatus) -> Bool {
        (status.modificationSeconds, status.modificationNanoseconds)
            < (other.modificationSeconds, other.modificationNanoseconds)
    }

    /// Keeps the existing `OpenFile` when the re-opened file is the same version, so its precomputed
    /// bytes are reused; the fresh descriptor is then closed as `fresh` goes away.
    private static func keepingUnchanged(_ previous: Resolution, fresh: Resolution) -> Resolution {
        switch (previous, fresh) {
        case (.file(let old), .file(let new)) where old.isSameVersion(as: new):
            return previous
        case (.directory(let old?), .directory(let new?)) where old.isSameVersion(as: new):
            return previous
        default:
            return fresh
        }
    }
}
