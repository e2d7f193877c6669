import CLinux
import Glibc

/// A counter behind a descriptor (eventfd): any thread may `signal()` it, which makes the descriptor
/// readable, so a thread blocked in poll or epoll on it wakes up and `clear()`s it.
/// Non-blocking and close-on-exec.
public struct EventDescriptor: ~Copyable, Sendable {
    public let descriptor: FileDescriptor

    public init() throws(Errno) {
        descriptor = FileDescriptor(
            owning: try syscall("eventfd") { CLinux.eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) })
    }

    /// Adopts an eventfd inherited from another process.
    public init(owning descriptor: consuming FileDescriptor) {
        self.descriptor = descriptor
    }

    /// Makes the descriptor readable. Never blocks: the counter would need 2^64 - 2 signals without
    /// a `clear()` to fill up.
    public func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { try? descriptor.write($0) }
    }

    /// Resets the counter, so the next wait blocks again.
    public func clear() {
        var count: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &count) { try? descriptor.read(into: $0) }
    }
}
