import CLinux
import Glibc

/// An owned file descriptor, closed exactly once: by `close()` or when it goes out of scope.
public struct FileDescriptor: ~Copyable, Sendable {
    public let rawValue: Int32

    /// Takes ownership of `rawValue`.
    public init(owning rawValue: Int32) {
        precondition(rawValue >= 0, "negative file descriptor")
        self.rawValue = rawValue
    }

    deinit { Glibc.close(rawValue) }

    /// Closes now. EINTR from close is not retried: on Linux the descriptor is gone either way.
    public consuming func close() {
        Glibc.close(rawValue)
        discard self
    }

    /// Gives up ownership without closing (e.g. to hand the number to another owner).
    public consuming func release() -> Int32 {
        let fd = rawValue
        discard self
        return fd
    }

    // MARK: Reading and writing

    /// Reads into `buffer`; nil when it would block, 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        try retryingSyscall("read") { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Reads at `offset` without moving the file offset (pread); 0 at end of file.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        try retryingSyscall("pread") { pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// Writes from `buffer`; nil when it would block. Short writes are normal.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        try retryingSyscall("write") { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes all of `buffer`, blocking descriptors only.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(Errno) {
        try writeFully(buffer) { (rest) throws(Errno) in try write(rest) }
    }

    /// Reads the whole (small) file from its current offset.
    public func readAll(limit: Int = 16 << 20) throws(Errno) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < limit {
            var count = 0
            var failure: Errno?
            chunk.withUnsafeMutableBytes { buffer in
                do throws(Errno) { count = try read(into: buffer) ?? 0 } catch { failure = error }
            }
            if let failure { throw failure }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    // MARK: Files

    /// Opens a directory to resolve paths beneath it.
    public static func openDirectory(_ path: String) throws(Errno) -> FileDescriptor {
        let fd = try syscall("open") { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        return FileDescriptor(owning: fd)
    }

    /// Opens `path` with `flags` (O_CLOEXEC is always added).
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(Errno) -> FileDescriptor {
        let fd = try syscall("open") { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(owning: fd)
    }

    /// Opens `relativePath` read-only beneath this directory: the kernel refuses any resolution that
    /// leaves it (`..`, absolute symlinks, symlinks pointing outside: EXDEV) and magic /proc links.
    /// "" opens the directory itself.
    public func openBeneath(_ relativePath: String) throws(Errno) -> FileDescriptor {
        try openBeneath(bytes: Array(relativePath.utf8))
    }

    /// fstat.
    public func status() throws(Errno) -> FileStatus {
        var st = stat()
        _ = try syscall("fstat") { fstat(rawValue, &st) }
        return FileStatus(st)
    }

    // MARK: Descriptor flags

    public func setNonBlocking(_ on: Bool = true) throws(Errno) {
        let flags = try syscall("fcntl") { fcntl(rawValue, F_GETFL) }
        let wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if wanted != flags { _ = try syscall("fcntl") { fcntl(rawValue, F_SETFL, wanted) } }
    }

    public func setCloseOnExec(_ on: Bool = true) throws(Errno) {
        _ = try syscall("fcntl") { fcntl(rawValue, F_SETFD, on ? FD_CLOEXEC : 0) }
    }
}

/// Calls `write` until all of `buffer` is written (short writes are normal); would-block is an error.
func writeFully(
    _ buffer: UnsafeRawBufferPointer, _ write: (UnsafeRawBufferPointer) throws(Errno) -> Int?
) throws(Errno) {
    var offset = 0
    while offset < buffer.count {
        guard let written = try write(UnsafeRawBufferPointer(rebasing: buffer[offset...])) else {
            throw Errno(EAGAIN, "write")
        }
        offset += written
    }
}
