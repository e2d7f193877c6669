import CLinux
import Glibc

/// Signals delivered as readable events on a descriptor (signalfd), so the event loop handles them
/// in its own turn instead of in an async-signal handler.
public struct SignalDescriptor: ~Copyable {
    public let descriptor: FileDescriptor

    /// Blocks `signals` for the calling thread (and threads it creates later) and returns a
    /// non-blocking descriptor that reports them.
    public init(_ signals: [Int32]) throws(Errno) {
        try Self.block(signals)
        var set = Self.set(of: signals)
        descriptor = FileDescriptor(
            owning: try syscall("signalfd") { signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC)) })
    }

    /// The next pending signal, or nil.
    public func next() throws(Errno) -> Int32? {
        var info = signalfd_siginfo()
        let count = try withUnsafeMutableBytes(of: &info) { (buffer) throws(Errno) in try descriptor.read(into: buffer)
        }
        guard let count, count == MemoryLayout<signalfd_siginfo>.size else { return nil }
        return Int32(info.ssi_signo)
    }

    /// Blocks `signals` for the calling thread and the threads it creates later, so that they wait
    /// for a signalfd to read them instead of interrupting whichever thread the kernel picks.
    public static func block(_ signals: [Int32]) throws(Errno) {
        var set = Self.set(of: signals)
        let result = pthread_sigmask(SIG_BLOCK, &set, nil)
        if result != 0 { throw Errno(result, "pthread_sigmask") }
    }

    private static func set(of signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Ignores SIGPIPE process-wide: a peer that goes away must cost an EPIPE, not the process.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Unblocks every signal in the calling thread (for a child process after fork/exec, or tests).
    public static func unblockAll() {
        var set = sigset_t()
        sigfillset(&set)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
