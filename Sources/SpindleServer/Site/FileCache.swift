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
/// The root itself follows the same rule: once per TTL its path is opened again, and if that gives
/// another directory (a `current` symlink swapped to a new release, or a directory renamed into place)
/// every entry is dropped and new requests resolve beneath the new one. Responses in flight keep their
/// `OpenFile`s, so they finish from the old release even once it is deleted.
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

    /// The root directory as opened at one moment. A class, so that a swap never closes a descriptor
    /// another thread is still opening beneath: it closes when the last user lets go.
    final class RootDirectory: Sendable {
        let descriptor: FileDescriptor
        let status: FileStatus

        init(path: String) throws(Errno) {
            let descriptor = try FileDescriptor.openDirectory(path)
            status = try descriptor.status()
            self.descriptor = descriptor
        }
    }

    /// The entries, the root they were opened beneath, and how many lookups were fresh hits or had to
    /// open (for `/metrics`).
    private struct State {
        var entries: [String: Entry] = [:]
        var root: RootDirectory
        var rootCheckedAt: Int64
        /// Counts the swaps, so that a lookup can tell its entry came from a replaced root.
        var rootGeneration = 0
        var hits = 0
        var misses = 0
    }

    private let rootPath: String
    private let indexFiles: [String]
    private let mimeTypes: MimeTypes
    private let precompressed: [ContentCoding]
    private let cachePolicy: CachePolicy
    private let ttl: Int64
    private let capacity: Int
    private let clock: () -> Int64
    private let table: Mutex<State>

    init(site: Site, clock: @escaping () -> Int64) throws(Errno) {
        rootPath = site.root
        table = Mutex(State(root: try RootDirectory(path: site.root), rootCheckedAt: clock()))
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
        // One lock on a fresh hit, as before the root was re-checked: the root's due time is a comparison.
        var (cached, rootDue, generation) = table.withLock { state in
            let entry = state.entries[path]
            let rootDue = now &- state.rootCheckedAt >= ttl
            if let entry, now &- entry.checkedAt < ttl, !rootDue {
                state.hits &+= 1
            } else {
                state.misses &+= 1
            }
            return (entry, rootDue, state.rootGeneration)
        }
        // An entry opened beneath a root replaced since (by this thread or another) is not used.
        if rootDue && refreshRoot(now: now) != generation { cached = nil }
        if let cached, now &- cached.checkedAt < ttl {
            return cached.resolution
        }
        let root = table.withLock { $0.root }
        var resolution = open(path, beneath: root)
        if case .failure(let error) = resolution, Self.isTransient(error) {
            // Out of descriptors or memory says nothing about the file: ask again next time.
            return resolution
        }
        if let previous = cached?.resolution {
            resolution = Self.keepingUnchanged(previous, fresh: resolution)
        }
        let capacity = self.capacity
        let stored = resolution
        table.withLock { state in
            // Opened beneath a root swapped meanwhile: answer with it, but do not keep it.
            guard state.root === root else { return }
            state.entries.insert(Entry(resolution: stored, checkedAt: now), at: path, capacity: capacity) {
                now &- $0.checkedAt < ttl
            }
        }
        return resolution
    }

    /// The root to open beneath, re-resolved from its path first when a TTL has passed.
    func root(now: Int64) -> RootDirectory {
        let ttl = self.ttl
        if table.withLock({ now &- $0.rootCheckedAt >= ttl }) { _ = refreshRoot(now: now) }
        return table.withLock { $0.root }
    }

    /// Opens the root's path again and, if that gives another directory, makes it the root and drops
    /// every entry; returns the root's generation afterwards. The path is opened before the lock is
    /// taken and the check is marked done only with the swap, so that no lookup sees the check done
    /// while the old root is still in place (threads finding it due at the same moment each open the
    /// path, a handful once a second; the first to lock decides). A path that cannot be opened (a
    /// dangling link) keeps the old root: serving the last good release beats serving nothing. What
    /// the swap replaces is released after the lock, since closing descriptors is a syscall.
    private func refreshRoot(now: Int64) -> Int {
        let ttl = self.ttl
        let fresh = try? RootDirectory(path: rootPath)
        let (generation, replaced) = table.withLock { state -> (Int, (RootDirectory, [String: Entry])?) in
            guard now &- state.rootCheckedAt >= ttl else { return (state.rootGeneration, nil) }
            state.rootCheckedAt = now
            guard let fresh,
                fresh.status.inode != state.root.status.inode || fresh.status.device != state.root.status.device
            else { return (state.rootGeneration, nil) }
            let replaced = (state.root, state.entries)
            state.root = fresh
            state.entries = [:]
            state.rootGeneration &+= 1
            return (state.rootGeneration, replaced)
        }
        _ = replaced
        return generation
    }

    private static func isTransient(_ error: Errno) -> Bool {
        [EMFILE, ENFILE, ENOMEM, EAGAIN, EINTR].contains(error.code)
    }

    /// Drops every entry (closing the descriptors no response still holds).
    func removeAll() { table.withLock { $0.entries.removeAll(keepingCapacity: true) } }

    private func open(_ path: String, beneath root: RootDirectory) -> Resolution {
        switch openFile(path, beneath: root.descriptor) {
        case .failure(let error) where error.code == EMFILE || error.code == ENFILE:
            // Out of descriptors: our own cache may be what holds them.
            removeAll()
            return openFile(path, beneath: root.descriptor)
        case let other:
            return other
        }
    }

    private func openFile(_ path: String, beneath root: borrowing FileDescriptor) -> Resolution {
        do throws(Errno) {
            let descriptor = try root.openBeneath(path)
            let status = try descriptor.status()
            if status.isRegular {
                return .file(makeOpenFile(descriptor, status, path, beneath: root))
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
                return .directory(index: makeOpenFile(index, indexStatus, indexPath, beneath: root))
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
    private func makeOpenFile(
        _ descriptor: consuming FileDescriptor, _ status: FileStatus, _ path: String,
        beneath root: borrowing FileDescriptor
    ) -> OpenFile {
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
