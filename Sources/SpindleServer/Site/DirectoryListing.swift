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

    var entries: [Entry]
    /// The directory had more listable entries than the limit: `entries` holds the first ones it gave
    /// (in the kernel's order, before sorting), so reading stops early in a huge directory.
    var truncated: Bool

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

    /// Directories first, then by `sort` (ties by name), ascending or descending within each group.
    func sorted(by sort: Sort, descending: Bool) -> [Entry] {
        entries.sorted { a, b in
            if a.isDirectory != b.isDirectory { return a.isDirectory }
            let (x, y) = descending ? (b, a) : (a, b)
            switch sort {
            case .size where x.size != y.size: return x.size < y.size
            case .mtime where x.modified != y.modified: return x.modified < y.modified
            default: return x.name.lexicographicallyPrecedes(y.name)
            }
        }
    }
}
