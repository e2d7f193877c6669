import Glibc

/// poll(2) over a few descriptors, for a thread that blocks until one of them is ready (the threads
/// mode's main thread; `spindle compare` waiting on its child). `add` them, `wait`, then ask
/// `isReady` by the index `add` returned.
public struct Poll {
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: Int16(POLLIN))
        public static let writable = Events(rawValue: Int16(POLLOUT))
    }

    private var entries: [pollfd] = []

    public init() {}

    public var count: Int { entries.count }

    /// Watches `fd` for `events`; returns the index to ask `isReady` with.
    @discardableResult
    public mutating func add(_ fd: Int32, _ events: Events = .readable) -> Int {
        entries.append(pollfd(fd: fd, events: events.rawValue, revents: 0))
        return entries.count - 1
    }

    /// Forgets every descriptor and keeps the storage, for a loop that rebuilds its set each turn.
    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever); returns how many descriptors are ready.
    /// A wait interrupted by a signal (EINTR, e.g. after SIGSTOP/SIGCONT) returns 0 like a timeout
    /// rather than starting the whole timeout again: the caller re-reads its clock and deadlines.
    public mutating func wait(timeoutMilliseconds: Int32) throws(Errno) -> Int {
        for index in entries.indices { entries[index].revents = 0 }
        // errno read inside the closure, before anything else can overwrite it.
        let (ready, code) = entries.withUnsafeMutableBufferPointer { entries in
            let ready = poll(entries.baseAddress, nfds_t(entries.count), timeoutMilliseconds)
            return (ready, ready < 0 ? errno : 0)
        }
        if ready >= 0 { return Int(ready) }
        if code == EINTR { return 0 }
        throw Errno(code, "poll")
    }

    /// Whether the descriptor added as `index` is ready after the last `wait`; errors and hang-ups
    /// (POLLERR, POLLHUP, POLLNVAL) count, so that the caller's read or accept reports them.
    public func isReady(_ index: Int) -> Bool {
        entries[index].revents != 0
    }
}
