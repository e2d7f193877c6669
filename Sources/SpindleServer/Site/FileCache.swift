import Glibc
import Posix

/// Relative path → what is there, kept open for `ttl`: a fresh hit costs a dictionary lookup and no
/// syscall. After the TTL the path is re-opened and re-stat'ed (beneath the root, so the check is as
/// strict as the first open); an unchanged file keeps its `OpenFile`, a changed or replaced one gets a
/// new one. So a change on disk is served within one TTL, and a length is never staler than that.
/// Failures (404s) are cached too, which keeps floods of missing paths off the filesystem.
///
/// Not thread-safe: one per `Responder`, one `Responder` per serving thread.
final class FileCache {
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
    private let ttl: Int64
    private let capacity: Int
    private let clock: () -> Int64
    private var entries: [String: Entry] = [:]

    init(site: Site, clock: @escaping () -> Int64) throws(Errno) {
        root = try FileDescriptor.openDirectory(site.root)
        indexFiles = site.indexFiles
        mimeTypes = MimeTypes(overrides: site.mimeOverrides)
        ttl = site.cacheTTLNanoseconds
        capacity = max(1, site.cacheCapacity)
        self.clock = clock
        entries.reserveCapacity(capacity)
    }

    var count: Int { entries.count }

    func resolve(_ path: String) -> Resolution {
        let now = clock()
        if let entry = entries[path], now &- entry.checkedAt < ttl {
            return entry.resolution
        }
        var resolution = open(path)
        if let previous = entries[path]?.resolution {
            resolution = Self.keepingUnchanged(previous, fresh: resolution)
        } else if entries.count >= capacity {
            evict(now: now)
        }
        entries[path] = Entry(resolution: resolution, checkedAt: now)
        return resolution
    }

    /// Drops every entry (closing the descriptors no response still holds).
    func removeAll() { entries.removeAll(keepingCapacity: true) }

    private func evict(now: Int64) {
        // Expired entries first; if none, an arbitrary one. Not LRU: tracking recency would cost
        // every hit a write, and a static site's working set usually fits.
        let before = entries.count
        entries = entries.filter { now &- $0.value.checkedAt < ttl }
        if entries.count == before, let first = entries.first {
            entries.removeValue(forKey: first.key)
        }
    }

    private func open(_ path: String) -> Resolution {
        switch openFile(path) {
        case .failure(let error) where error.code == EMFILE || error.code == ENFILE:
            // Out of descriptors: our own cache may be what holds them.
            entries.removeAll(keepingCapacity: true)
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
                return .file(
                    OpenFile(descriptor: descriptor, status: status, contentType: mimeTypes.contentType(forPath: path)))
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
                return .directory(
                    index: OpenFile(
                        descriptor: index, status: indexStatus, contentType: mimeTypes.contentType(forPath: indexPath)
                    ))
            }
            return .directory(index: nil)
        } catch {
            return .failure(error)
        }
    }

    /// Keeps the existing `OpenFile` when the re-opened file is the same version, so its precomputed
    /// bytes are reused; the fresh descriptor is then closed as `fresh` goes away.
    private static func keepingUnchanged(_ previous: Resolution, fresh: Resolution) -> Resolution {
        switch (previous, fresh) {
        case (.file(let old), .file(let new)) where old.isSameVersion(as: new.status):
            return previous
        case (.directory(let old?), .directory(let new?)) where old.isSameVersion(as: new.status):
            return previous
        default:
            return fresh
        }
    }
}
