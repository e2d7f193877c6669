import Glibc
import HTTP1
import Posix

/// What a directory shows in a listing: its regular files and subdirectories, with size and
/// modification time, read beneath the root. Names are kept as the raw bytes the kernel gave: they
/// are hostile input, escaped only when rendered (`ListingPage`).
///
/// Left out: dotfiles (unless allowed), anything neither a regular file nor a directory (sockets,
/// FIFOs, devices), and symlinks that lead out of the root or nowhere. A symlink that stays inside is
/// listed as what it points to, since that is what a request for it gets.
struct DirectoryListing: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: [UInt8]
        var isDirectory: Bool
        /// Bytes; 0 for a directory.
        var size: Int64
        /// Epoch seconds.
        var modified: Int64
    }

    enum Sort: String, Sendable, Hashable, CaseIterable {
        case name, size, mtime
    }

    /// Directories first, then by name (byte order): the default order, from which the others are
    /// derived cheaply.
    private(set) var entries: [Entry]
    /// How many of `entries` (the first ones) are directories.
    private(set) var directoryCount: Int
    /// The directory had more listable entries than the limit: `entries` holds the first ones it gave
    /// (in the kernel's order, before sorting), so reading stops early in a huge directory.
    var truncated: Bool

    init(entries: [Entry], truncated: Bool) {
        // Sorting indices with memcmp, then moving each entry once: sorting the entries themselves
        // would copy (retain and release) names at every step, which 10,000 entries make visible.
        let order = entries.withUnsafeBufferPointer { buffer in
            buffer.indices.sorted { a, b in
                if buffer[a].isDirectory != buffer[b].isDirectory { return buffer[a].isDirectory }
                return Self.precedes(buffer[a].name, buffer[b].name)
            }
        }
        self.entries = order.map { entries[$0] }
        directoryCount = entries.lazy.filter(\.isDirectory).count
        self.truncated = truncated
    }

    private static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let order = memcmp(p, q, common)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
    }

    /// Reads the directory at `relative` (a path beneath the root, "" for the root itself).
    static func read(
        _ relative: String, beneath root: borrowing FileDescriptor, includeDotfiles: Bool, limit: Int
    ) throws(Errno) -> DirectoryListing {
        let directory = try root.openBeneath(relative)
        guard try directory.status().isDirectory else { throw Errno(ENOTDIR, "listing") }
        var prefix = Array(relative.utf8)
        if !prefix.isEmpty { prefix.append(UInt8(ascii: "/")) }
        var entries: [Entry] = []
        var truncated = false
        try directory.forEachEntryName { name in
            if !includeDotfiles && name.first == UInt8(ascii: ".") { return true }
            // Gone since readdir, or unreadable: not listed.
            guard var status = try? directory.status(ofEntry: name) else { return true }
            if status.isSymbolicLink {
                // Resolved the way a request would be: beneath the root, or not at all (EXDEV, ELOOP).
                guard let target = try? root.openBeneath(bytes: prefix + name), let targetStatus = try? target.status()
                else { return true }
                status = targetStatus
            }
            guard status.isRegular || status.isDirectory else { return true }
            if entries.count == limit {
                truncated = true
                return false
            }
            entries.append(
                Entry(
                    name: name, isDirectory: status.isDirectory, size: status.isDirectory ? 0 : status.size,
                    modified: status.modificationSeconds))
            return true
        }
        return DirectoryListing(entries: entries, truncated: truncated)
    }

    /// Indices into `entries`: directories first, then by `sort` (ties by name), ascending or
    /// descending within each group. Integer comparisons only: the name order is already there.
    func order(by sort: Sort, descending: Bool) -> [Int] {
        let directories = 0..<directoryCount
        let files = directoryCount..<entries.count
        guard sort != .name else {
            return descending ? directories.reversed() + files.reversed() : Array(entries.indices)
        }
        let keys = entries.map { sort == .size ? $0.size : $0.modified }
        func sorted(_ group: Range<Int>) -> [Int] {
            group.sorted { a, b in
                descending ? (keys[b], b) < (keys[a], a) : (keys[a], a) < (keys[b], b)
            }
        }
        return sorted(directories) + sorted(files)
    }
}
