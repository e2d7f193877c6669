import Glibc

/// The process's standard output and standard error: borrowed from the parent, written to, never closed.
public enum StandardStream: Sendable {
    case output
    case error

    public var rawValue: Int32 {
        switch self {
        case .output: STDOUT_FILENO
        case .error: STDERR_FILENO
        }
    }

    /// Writes all of `buffer`, in one write(2) where the kernel takes it whole (a line to a pipe or
    /// a terminal), so lines from several threads stay whole. Unlike an owned descriptor, a stream
    /// the parent closed (EBADF) is a thrown error, not a programmer error: the parent decides.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(Errno) {
        try writeFully(buffer) { (rest) throws(Errno) in try write(rest) }
    }

    /// One write(2); nil when it would block. Short writes are possible.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        let fd = rawValue
        return try retryingSyscall("write", badDescriptorTraps: false) {
            Glibc.write(fd, buffer.baseAddress, buffer.count)
        }
    }

    /// fstat: what the parent connected the stream to (a file, a pipe, a terminal).
    public func status() throws(Errno) -> FileStatus {
        var st = stat()
        let fd = rawValue
        _ = try syscall("fstat") { fstat(fd, &st) }
        return FileStatus(st)
    }
}
