import Glibc
import HTTP1
import Posix
import Synchronization

/// The thread-per-connection server (`--mode threads`), the model the event loop is compared with.
/// The main thread blocks in poll() on the listeners, a signalfd and a wake-up eventfd, and accepts;
/// each accepted connection gets a new detached thread (no pool: creating it is part of the model)
/// that reads, parses, answers and keeps the connection alive with blocking calls, then ends.
///
/// Threads share only `ConnectionRegistry` (atomics and a mutex touched twice per connection). The
/// site and settings are read by the main thread alone and handed to each new thread, so a reload
/// needs no lock: it applies to connections accepted after it.
///
/// Drain: idle connections are woken by shutdown(SHUT_RD) through the registry rather than by a short
/// SO_RCVTIMEO loop re-checking a flag, which would wake every idle thread periodically and delay
/// the drain by up to one period.
public final class ThreadedServer {
    private var listeners: [Listener]
    private let signals: SignalDescriptor
    /// What each connection thread builds its Responder from (one file cache for all of them).
    private var shared: Responder.Shared
    private var settings: ServerSettings
    private let hooks: ServerHooks
    private let registry: ConnectionRegistry
    /// Counts the site's responses and connections (atomically: every connection thread writes).
    private let counters: ServerCounters?
    /// The health and metrics listener, its answers, and its connections (which the drain does not
    /// wait for: a load balancer's checks go on until the process exits).
    private let statusListener: Listener?
    private let status: StatusResponder?
    private let statusRegistry: ConnectionRegistry

    private var draining = false
    private var drainDeadline: Int64 = .max
    /// During `shutdown_delay`: when the listeners close.
    private var listenersCloseAt: Int64 = .max
    private var accepting = AcceptLoop()

    /// `responder` is not used to serve: a Responder is not thread-safe, so every connection thread
    /// makes its own, sharing this one's file cache.
    init(
        listeners: [Listener], responder: Responder, settings: ServerSettings,
        hooks: ServerHooks = ServerHooks(), counters: ServerCounters? = nil, statusListener: Listener? = nil,
        status: StatusResponder? = nil
    ) throws(Errno) {
        SignalDescriptor.ignoreBrokenPipe()
        self.signals = try SignalDescriptor(ServerSignal.handled)
        self.listeners = listeners
        self.shared = responder.shared
        self.settings = settings
        self.hooks = hooks
        self.registry = try ConnectionRegistry()
        self.counters = counters
        self.statusListener = status == nil ? nil : statusListener
        self.status = status
        self.statusRegistry = try ConnectionRegistry()
    }

    /// Serves until SIGTERM/SIGINT (or `stop()`) and the drain that follows; returns the exit status.
    /// Call it on the thread that will own the server: the handled signals are blocked there before
    /// any connection thread is created, so the threads inherit the mask and the signalfd gets them.
    public func run() throws(Errno) -> Int32 {
        try SignalDescriptor.block(ServerSignal.handled)
        var lastTick = WallClock.seconds()
        hooks.ready?()
        var poll = Poll()
        while true {
            var now = MonotonicClock.nanoseconds()
            if now >= listenersCloseAt { closeListeners(now: now) }
            if draining && listeners.isEmpty
                && (registry.count.load(ordering: .sequentiallyConsistent) == 0 || now >= drainDeadline)
            {
                break
            }
            let accepting = canAccept(now: now)
            poll.removeAll()
            let signalIndex = poll.add(signals.descriptor.rawValue)
            let wakeupIndex = poll.add(registry.wakeup.descriptor.rawValue)
            let statusIndex = statusListener.map { poll.add($0.socket.rawValue) }
            let firstListener = poll.count
            if accepting {
                for listener in listeners { _ = poll.add(listener.socket.rawValue) }
            }
            _ = try poll.wait(timeoutMilliseconds: pollTimeout(now: now, accepting: accepting))
            now = MonotonicClock.nanoseconds()
            if poll.isReady(signalIndex) { handleSignals(now: now) }
            if poll.isReady(wakeupIndex) {
                registry.wakeup.clear()
                if registry.stopRequested.load(ordering: .relaxed) { beginDrain(now: now) }
            }
            if let statusIndex, poll.isReady(statusIndex) { acceptStatusConnections(now: now) }
            if accepting && !listeners.isEmpty {
                for index in listeners.indices where poll.isReady(firstListener + index) {
                    acceptConnections(from: listeners[index], now: now)
                }
            }
            let wallNow = WallClock.seconds()
            if wallNow != lastTick {
                lastTick = wallNow
                hooks.tick?(
                    wallNow, registry.count.load(ordering: .relaxed), registry.requests.load(ordering: .relaxed))
                if let counters {
                    let lookups = shared.cacheLookups
                    counters.fileCache(hits: lookups.hits, misses: lookups.misses)
                }
            }
        }
        // Past the grace deadline: cut off whoever is left rather than leave threads writing to
        // sockets of a server that has returned.
        if registry.count.load(ordering: .sequentiallyConsistent) > 0 { registry.shutDownAll() }
        statusRegistry.shutDownAll()
        hooks.tick?(
            WallClock.seconds(), registry.count.load(ordering: .relaxed), registry.requests.load(ordering: .relaxed))
        return 0
    }

    /// Starts the same drain as SIGTERM, from any thread (for tests, which must not signal the
    /// test process).
    func stop() {
        registry.stopRequested.store(true, ordering: .relaxed)
        registry.wakeup.signal()
    }

    /// Live counters, readable from any thread (for tests).
    var connectionCount: Int { registry.count.load(ordering: .relaxed) }
    var requestCount: Int { registry.requests.load(ordering: .relaxed) }

    // MARK: Accepting

    /// Whether to poll the listeners this turn. At the connection limit the main thread asks to be
    /// woken when a connection thread ends: flag first, then the count again, while a thread
    /// decrements the count and then reads the flag, so one of the two sees the other.
    private func canAccept(now: Int64) -> Bool {
        guard !listeners.isEmpty, now >= accepting.resumeAt else { return false }
        if registry.count.load(ordering: .sequentiallyConsistent) < settings.maxConnections {
            registry.wakeWanted.store(false, ordering: .sequentiallyConsistent)
            return true
        }
        registry.wakeWanted.store(true, ordering: .sequentiallyConsistent)
        return registry.count.load(ordering: .sequentiallyConsistent) < settings.maxConnections
    }

    private func pollTimeout(now: Int64, accepting: Bool) -> Int32 {
        // Wake at least once a second: log flushing, the watchdog and status live on that tick.
        var earliest = now + ServerSettings.second
        if !listeners.isEmpty && !accepting && self.accepting.resumeAt > now {
            earliest = min(earliest, self.accepting.resumeAt)
        }
        if draining { earliest = min(earliest, drainDeadline, listenersCloseAt) }
        return Int32(max(0, (earliest - now + 999_999) / 1_000_000))
    }

    private func acceptConnections(from listener: Listener, now: Int64) {
        let (registry, limit) = (registry, settings.maxConnections)
        // The listener is non-blocking (poll says when to call); the connection is blocking.
        _ = accepting.accept(
            from: listener, nonBlocking: false, now: now, warn: hooks.warn,
            room: { registry.count.load(ordering: .relaxed) < limit },
            take: { socket in start(socket, now: now) })
    }

    /// Health checks and scrapes get a thread each too, outside the site's registry and limit.
    private func acceptStatusConnections(now: Int64) {
        guard let statusListener, let status else { return }
        let (registry, settings) = (statusRegistry, settings)
        var statusHooks = ServerHooks()
        statusHooks.warn = hooks.warn
        let quietHooks = statusHooks
        _ = accepting.accept(
            from: statusListener, nonBlocking: false, now: now, warn: hooks.warn, room: { true },
            take: { socket in
                start(socket, now: now, registry: registry) { fd in
                    let entry = ConnectionRegistry.Entry(socket: FileDescriptor(owning: fd))
                    registry.insert(entry)
                    defer { registry.remove(entry) }
                    ThreadedConnection(
                        entry: entry, registry: registry, responder: status, settings: settings, hooks: quietHooks,
                        counters: nil, acceptedAt: now
                    ).serve()
                }
            })
    }

    /// Creates the connection's thread; false (and accepting paused) if no thread can be created.
    private func start(_ socket: consuming FileDescriptor, now: Int64) -> Bool {
        let (registry, shared, settings, hooks, counters) = (registry, shared, settings, hooks, counters)
        return start(socket, now: now, registry: registry) { fd in
            let entry = ConnectionRegistry.Entry(socket: FileDescriptor(owning: fd))
            registry.insert(entry)
            defer { registry.remove(entry) }
            counters?.connectionOpened()
            defer { counters?.connectionClosed() }
            // One Responder per connection, as it is not thread-safe; the file cache behind it is shared.
            ThreadedConnection(
                entry: entry, registry: registry, responder: Responder(shared: shared), settings: settings,
                hooks: hooks, counters: counters, acceptedAt: now
            ).serve()
        }
    }

    /// Runs `serve` on a new thread that owns the accepted socket (by number: the thread closes it
    /// before counting itself out of `registry`).
    private func start(
        _ socket: consuming FileDescriptor, now: Int64, registry: ConnectionRegistry,
        serve: @escaping @Sendable (Int32) -> Void
    ) -> Bool {
        _ = try? socket.setNoDelay()
        registry.count.add(1, ordering: .sequentiallyConsistent)
        let fd = socket.release()
        do {
            try PosixThread.spawn(stackSize: settings.threadStackSize) {
                serve(fd)
                registry.connectionEnded()
            }
        } catch {
            FileDescriptor(owning: fd).close()
            registry.count.subtract(1, ordering: .sequentiallyConsistent)
            accepting.pause(now: now, warn: hooks.warn, "\(error); pausing accepts until threads end")
            return false
        }
        return true
    }

    // MARK: Signals

    private func handleSignals(now: Int64) {
        while let number = try? signals.next() {
            switch ServerSignal(number) {
            case .drain: beginDrain(now: now)
            case .reload where !draining: reload()  // a stopping server does not reload
            case .reopenLogs: hooks.reopenLogs?()
            default: break
            }
        }
    }

    private func reload() {
        guard let (newResponder, newSettings) = hooks.reload?() else { return }
        shared = newResponder.shared
        settings.reload(from: newSettings)
    }

    /// From now on every answer says `Connection: close` and `/healthz` 503; after `shutdown_delay`
    /// (at once by default) the listeners close and the drain proper begins.
    private func beginDrain(now: Int64) {
        guard !draining else { return }
        draining = true
        registry.closing.store(true, ordering: .relaxed)
        // The status listener stays: from now on /healthz says 503, until the process exits.
        status?.beginDrain()
        statusRegistry.closing.store(true, ordering: .relaxed)
        hooks.stopping?()
        listenersCloseAt = now + settings.shutdownDelay
        if now >= listenersCloseAt { closeListeners(now: now) }
    }

    /// Stop accepting, wake and close idle connections, let in-flight ones finish until the grace deadline.
    private func closeListeners(now: Int64) {
        listenersCloseAt = .max
        drainDeadline = now + settings.shutdownGrace
        // The listeners close when the last reference goes, as in the reactor.
        listeners.removeAll()
        registry.wakeWanted.store(true, ordering: .sequentiallyConsistent)
        registry.beginDrain()
    }
}
