import Glibc
import Posix

/// systemd socket activation (sd_listen_fds without libsystemd): when LISTEN_PID names this process,
/// descriptors 3 ..< 3+LISTEN_FDS are listening sockets to serve instead of binding our own.
public enum SocketActivation {
    static let firstDescriptor: Int32 = 3

    /// The passed listeners, or nil when the process was not socket-activated. The variables are
    /// removed so that nothing this process starts believes it was activated too.
    public static func adoptListeners() throws(Errno) -> [Listener]? {
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }),
            let pid = Int32(pidText), pid == getpid(),
            let countText = getenv("LISTEN_FDS").map({ String(cString: $0) }),
            let count = Int32(countText), count > 0
        else { return nil }
        guard count <= Int32(clamping: DescriptorLimit.current().soft) - firstDescriptor else {
            throw Errno(EINVAL, "LISTEN_FDS=\(count)")
        }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        var listeners: [Listener] = []
        for fd in firstDescriptor..<(firstDescriptor + count) {
            let socket = FileDescriptor(owning: fd)
            guard socket.isListeningSocket else { throw Errno(ENOTSOCK, "LISTEN_FDS descriptor \(fd)") }
            try socket.setNonBlocking()
            try socket.setCloseOnExec()
            let address = socket.localAddress().map { "http://\($0)" } ?? "fd \(fd)"
            listeners.append(Listener(socket: socket, address: address))
        }
        return listeners
    }
}
