import Glibc
import Posix

/// sd_notify without libsystemd: datagrams to $NOTIFY_SOCKET. Silent when not run by systemd.
public final class SystemdNotifier: Sendable {
    private let socketPath: String?
    /// Half of $WATCHDOG_USEC (as systemd recommends), in nanoseconds; nil without a watchdog. The
    /// pings ride on the loop's once-a-second tick, so WatchdogSec must be at least 2 s.
    public let watchdogInterval: Int64?

    public init() {
        socketPath = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        if let text = getenv("WATCHDOG_USEC").map({ String(cString: $0) }), let usec = Int64(text), usec > 0,
            getenv("WATCHDOG_PID").map({ Int32(String(cString: $0)) == getpid() }) ?? true
        {
            watchdogInterval = usec * 1000 / 2
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { socketPath != nil }

    public func notify(_ message: String) {
        guard let socketPath else { return }
        try? UnixDatagram.send(message, to: socketPath)
    }

    public func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    public func reloading(monotonicMicroseconds: Int64) {
        notify("RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds)")
    }
    public func stopping() { notify("STOPPING=1") }
    public func watchdog() { notify("WATCHDOG=1") }
    public func status(_ text: String) { notify("STATUS=\(text)") }
}
