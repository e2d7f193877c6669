import CLinux
import Glibc
import Posix

/// An eventfd the main thread polls beside the listeners, so other threads can interrupt its
/// blocking poll(): a connection thread that ends while the server waits on it (at the connection
/// limit, or draining), or `ThreadedServer.stop()`.
final class Wakeup: Sendable {
    let descriptor: FileDescriptor

    init() throws(Errno) {
        let fd = CLinux.eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw Errno.current("eventfd") }
        descriptor = FileDescriptor(owning: fd)
    }

    /// Makes the descriptor readable. Never blocks: the counter cannot realistically overflow.
    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { try? descriptor.write($0) }
    }

    /// Resets the counter so the next poll() blocks again.
    func clear() {
        var count: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &count) { try? descriptor.read(into: $0) }
    }
}
