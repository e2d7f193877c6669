import Glibc

/// A failed system call: the errno value and the name of the operation, spelled out when printed.
public struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int32
    public let operation: String

    public init(_ code: Int32, _ operation: String = "") {
        self.code = code
        self.operation = operation
    }

    /// The errno of the calling thread, tagged with `operation`.
    public static func current(_ operation: String) -> Errno { Errno(errno, operation) }

    public var description: String {
        operation.isEmpty ? reason : "\(operation): \(reason)"
    }

    /// The C library's words for `code` ("No such file or directory"), without the operation.
    public var reason: String { String(cString: strerror(code)) }

    public static func == (lhs: Errno, rhs: Errno) -> Bool { lhs.code == rhs.code }

    public static let notFound = Errno(ENOENT)
    public static let notDirectory = Errno(ENOTDIR)
    public static let accessDenied = Errno(EACCES)
    public static let tooManySymlinks = Errno(ELOOP)
    public static let crossDevice = Errno(EXDEV)
    public static let tooManyOpenFiles = Errno(EMFILE)
    public static let fileTableFull = Errno(ENFILE)
    public static let outOfMemory = Errno(ENOMEM)

    /// Out of descriptors or of the kernel memory a new one needs (EMFILE, ENFILE, ENOBUFS, ENOMEM):
    /// a server pauses accepting until some close, instead of failing or spinning.
    public var isDescriptorShortage: Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }
}

/// Runs a system call that returns -1 on failure: retries on EINTR, returns nil on EAGAIN/EWOULDBLOCK,
/// throws anything else. EBADF and EFAULT are programmer errors and trap (EBADF is thrown instead
/// when `badDescriptorTraps` is false, for descriptors the process does not own).
@inline(__always)
func retryingSyscall<T: BinaryInteger>(
    _ operation: StaticString, badDescriptorTraps: Bool = true, _ call: () -> T
) throws(Errno) -> T? {
    while true {
        let result = call()
        if result >= 0 { return result }
        let code = errno
        switch code {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return nil
        case EBADF where !badDescriptorTraps: throw Errno(code, "\(operation)")
        case EBADF, EFAULT: fatalError("\(Errno(code, "\(operation)")) (programmer error)")
        default: throw Errno(code, "\(operation)")
        }
    }
}

/// As `retryingSyscall`, for calls where would-block cannot happen or is itself an error.
@inline(__always)
func syscall<T: BinaryInteger>(_ operation: StaticString, _ call: () -> T) throws(Errno) -> T {
    guard let result = try retryingSyscall(operation, call) else { throw Errno(EAGAIN, "\(operation)") }
    return result
}
