import Glibc
import Posix
import Synchronization

/// What the main thread and the connection threads share: live counters, the draining flag, and
/// the set of open connections (so the drain can wake idle ones and the grace deadline can cut the
/// rest off). The set is touched twice per connection (open, close), never per request.
final class ConnectionRegistry: Sendable {
    /// One open connection as the other threads see it.
    final class Entry: Sendable {
        /// Closed when the last reference goes: the connection thread's and the registry's. Because
        /// the registry holds one while it calls shutdown(), the descriptor number cannot be
        /// closed and reused under it.
        let socket: FileDescriptor
        /// Waiting for the first byte of a request with nothing buffered: nothing is in flight, so
        /// the drain may end the connection. Paired with `draining`: the connection thread stores
        /// this before it reads the flag, and `beginDrain` sets the flag before it scans.
        let idle = Atomic<Bool>(true)

        init(socket: consuming FileDescriptor) { self.socket = socket }
    }

    private let entries = Mutex<[Int32: Entry]>([:])
    /// Connections accepted and not yet closed, counted from the accept (before the thread starts),
    /// so the connection limit holds while threads are being created.
    let count = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)
    /// Set on SIGTERM, before `draining` (which waits for `shutdown_delay`): every answer from now
    /// on says `Connection: close`.
    let closing = Atomic<Bool>(false)
    /// The main thread is waiting for a connection thread to end (at the limit, or draining).
    let wakeWanted = Atomic<Bool>(false)
    /// Set by `ThreadedServer.stop()`.
    let stopRequested = Atomic<Bool>(false)
    /// Polled by the main thread beside the listeners, so other threads can interrupt its blocking
    /// poll(): a connection thread that ends while the server waits on it (at the connection limit,
    /// or draining), or `ThreadedServer.stop()`.
    let wakeup: EventDescriptor

    init() throws(Errno) { wakeup = try EventDescriptor() }

    func insert(_ entry: Entry) {
        entries.withLock { $0[entry.socket.rawValue] = entry }
    }

    func remove(_ entry: Entry) {
        _ = entries.withLock { $0.removeValue(forKey: entry.socket.rawValue) }
    }

    /// Called by a connection thread as its last act, after its socket is closed.
    func connectionEnded() {
        count.subtract(1, ordering: .sequentiallyConsistent)
        if wakeWanted.load(ordering: .sequentiallyConsistent) { wakeup.signal() }
    }

    /// Sets the draining flag, then wakes every idle connection: shutdown(SHUT_RD) makes its blocked
    /// recv return 0, and the thread closes. A thread that becomes idle after the scan sees the flag
    /// first (both sides use sequentially consistent order: flag then scan, idle then flag).
    func beginDrain() {
        draining.store(true, ordering: .sequentiallyConsistent)
        entries.withLock { entries in
            for entry in entries.values where entry.idle.load(ordering: .sequentiallyConsistent) {
                entry.socket.shutdown(Int32(SHUT_RD))
            }
        }
    }

    /// The grace period is over: every connection still open is cut off (blocked sends and receives
    /// fail at once), so its thread ends soon after.
    func shutDownAll() {
        entries.withLock { entries in
            for entry in entries.values { entry.socket.shutdown(Int32(SHUT_RDWR)) }
        }
    }
}
