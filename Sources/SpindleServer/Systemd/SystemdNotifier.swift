import Glibc
import Posix
import Synchronization

/// sd_notify without libsystemd: datagrams to $NOTIFY_SOCKET. Silent when not run by systemd.
public final class SystemdNotifier: Sendable {
    private let socketPath: String?
    /// Half of $WATCHDOG_USEC (as systemd recommends), in nanoseconds; nil without a watchdog. The
    /// pings ride on the loop's once-a-second tick, so WatchdogSec must be at least 2 s.
    public let watchdogInterval: Int64?
    /// When the last WATCHDOG=1 left, on the monotonic clock.
    private let lastWatchdog = Atomic<Int64>(0)

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

    /// The serving loop's once-a-second tick: a watchdog ping when one is due, and the live counters.
    public func tick(connections: Int, requests: Int) {
        guard isActive else { return }
        tick(status: "\(connections) connections, \(requests) requests served")
    }

    /// A tick with a ready-made STATUS= text; `healthy` false holds the watchdog ping back (a
    /// supervisor's worker has stopped ticking: systemd should notice).
    public func tick(status text: String, healthy: Bool = true) {
        guard isActive else { return }
        // The monotonic clock, not the wall clock: one stepped back (NTP, an administrator) would hold
        // the pings until it caught up again, and systemd would kill a healthy server meanwhile.
        // Ticks come about a second apart: ping on the last tick before half the timeout has passed.
        let uptime = MonotonicClock.nanoseconds()
        if healthy, let watchdogInterval,
            uptime - lastWatchdog.load(ordering: .relaxed) >= watchdogInterval - ServerSettings.second
        {
            lastWatchdog.store(uptime, ordering: .relaxed)
            watchdog()
        }
        status(text)
    }
}
