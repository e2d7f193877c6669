import CLinux
import Glibc

/// Reading a directory opened as a descriptor. Names are raw bytes: a file name is any bytes but `/`
/// and NUL, not necessarily UTF-8.
extension FileDescriptor {
    /// Calls `body` with each name in this directory (without `.` and `..`), in the order the kernel
    /// gives them, until it returns false. Reads through a duplicate descriptor, so this one stays open
    /// (`fdopendir` takes ownership of its descriptor, and `closedir` closes it).
    public func forEachEntryName(_ body: ([UInt8]) -> Bool) throws(Errno) {
        let duplicate = try syscall("fcntl") { fcntl(rawValue, F_DUPFD_CLOEXEC, 0) }
        guard let stream = fdopendir(duplicate) else {
            let error = Errno(errno, "fdopendir")
            Glibc.close(duplicate)
            throw error
        }
        defer { closedir(stream) }
        // The duplicate shares the file offset: start from the beginning whatever was read before.
        rewinddir(stream)
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw Errno(errno, "readdir") }
                return
            }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> [UInt8] in
                Array(raw[..<(raw.firstIndex(of: 0) ?? raw.count)])
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            if !body(name) { return }
        }
    }

    /// fstatat of `name` in this directory without following a final symlink (AT_SYMLINK_NOFOLLOW): what
    /// the entry itself is.
    public func status(ofEntry name: [UInt8]) throws(Errno) -> FileStatus {
        var st = stat()
        let path = Self.cString(name)
        _ = try syscall("fstatat") { fstatat(rawValue, path, &st, AT_SYMLINK_NOFOLLOW) }
        return FileStatus(st)
    }

    /// `openBeneath` for a path given as raw bytes (names that are not UTF-8).
    public func openBeneath(bytes relativePath: [UInt8]) throws(Errno) -> FileDescriptor {
        let path = Self.cString(relativePath.isEmpty ? [UInt8(ascii: ".")] : relativePath)
        // O_NONBLOCK: opening a FIFO must not block the serving thread (it is then refused as not a regular file).
        let flags = UInt64(O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        let resolve = UInt64(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
        let fd = try syscall("openat2") { spindle_openat2(rawValue, path, flags, 0, resolve) }
        return FileDescriptor(owning: fd)
    }

    /// NUL-terminated, for the C calls (an embedded NUL cuts the path short; names never contain one).
    private static func cString(_ bytes: [UInt8]) -> [CChar] {
        bytes.map { CChar(bitPattern: $0) } + [0]
    }
}
