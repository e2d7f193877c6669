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
        let message = String(cString: strerror(code))
        return operation.isEmpty ? message : "\(operation): \(message)"
    }

    public static func == (lhs: Errno, rhs: Errno) -> Bool { lhs.code == rhs.code }

    public static let notFound = Errno(ENOENT)
    public static let notDirectory = Errno(ENOTDIR)
    public static let accessDenied = Errno(EACCES)
    public static let tooManySymlinks = Errno(ELOOP)
    public static let crossDevice = Errno(EXDEV)
    public static let tooManyOpenFiles = Errno(EMFILE)
    public static let fileTableFull = Errno(ENFILE)
}

/// Runs a system call that returns -1 on failure: retries on EINTR, returns nil on EAGAIN/EWOULDBLOCK,
/// throws anything else. EBADF and EFAULT are programmer errors and trap.
@inline(__always)
func retryingSyscall<T: BinaryInteger>(_ operation: StaticString, _ call: () -> T) throws(Errno) -> T? {
    while true {
        let result = call()
        if result >= 0 { return result }
        let code = errno
        switch code {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return nil
        case EBADF, EFAULT:
            fatalError("\(operation): \(String(cString: strerror(code))) (programmer error)")
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
