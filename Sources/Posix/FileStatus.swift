import Glibc

/// What `fstat` says about a file, reduced to what a file server needs.
public struct FileStatus: Sendable, Equatable {
    public var size: Int64
    public var modificationSeconds: Int64
    public var modificationNanoseconds: Int64
    public var inode: UInt64
    public var device: UInt64
    public var mode: UInt32

    public init(
        size: Int64, modificationSeconds: Int64, modificationNanoseconds: Int64 = 0, inode: UInt64 = 0,
        device: UInt64 = 0, mode: UInt32 = UInt32(S_IFREG) | 0o644
    ) {
        self.size = size
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
        self.inode = inode
        self.device = device
        self.mode = mode
    }

    init(_ st: stat) {
        self.init(
            size: Int64(st.st_size), modificationSeconds: Int64(st.st_mtim.tv_sec),
            modificationNanoseconds: Int64(st.st_mtim.tv_nsec), inode: UInt64(st.st_ino),
            device: UInt64(st.st_dev), mode: UInt32(st.st_mode))
    }

    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    public var isRegular: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var isSymbolicLink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }
}
