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

    private var draining = false
    private var drainDeadline: Int64 = .max
    private var accepting = AcceptLoop()

    /// `responder` is not used to serve: a Responder is not thread-safe, so every connection thread
    /// makes its own, sharing this one's file cache.
    public init(
        listeners: [Listener], responder: Responder, settings: ServerSettings,
        hooks: ServerHooks = ServerHooks()
    ) throws(Errno) {
        SignalDescriptor.ignoreBrokenPipe()
        self.signals = try SignalDescriptor(ServerSignal.handled)
        self.listeners = listeners
        self.shared = responder.shared
        self.settings = settings
        self.hooks = hooks
        self.registry = try ConnectionRegistry()
    }

    /// Serves until SIGTERM/SIGINT (or `stop()`) and the drain that follows; returns the exit status.
    /// Call it on the thread that will own the server: the handled signals are blocked there before
    /// any connection thread is created, so the threads inherit the mask and the signalfd gets them.
    public func run() throws(Errno) -> Int32 {
        try Self.blockHandledSignals()
        var lastTick = WallClock.seconds()
        hooks.ready?()
        var fds: [pollfd] = []
        while true {
            var now = MonotonicClock.nanoseconds()
            if draining && (registry.count.load(ordering: .sequentiallyConsistent) == 0 || now >= drainDeadline) {
                break
            }
            let accepting = canAccept(now: now)
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: signals.descriptor.rawValue, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: registry.wakeup.descriptor.rawValue, events: Int16(POLLIN), revents: 0))
            if accepting {
                for listener in listeners {
                    fds.append(pollfd(fd: listener.socket.rawValue, events: Int16(POLLIN), revents: 0))
                }
            }
            let ready = poll(&fds, nfds_t(fds.count), pollTimeout(now: now, accepting: accepting))
            if ready < 0 {
                if errno == EINTR { continue }
                throw Errno.current("poll")
            }
            now = MonotonicClock.nanoseconds()
            if fds[0].revents != 0 { handleSignals(now: now) }
            if fds[1].revents != 0 {
                registry.wakeup.clear()
                if registry.stopRequested.load(ordering: .relaxed) { beginDrain(now: now) }
            }
            if accepting && !draining {
                for index in listeners.indices where fds[2 + index].revents != 0 {
                    acceptConnections(from: listeners[index], now: now)
                }
            }
            let wallNow = WallClock.seconds()
            if wallNow != lastTick {
                lastTick = wallNow
                hooks.tick?(
                    wallNow, registry.count.load(ordering: .relaxed), registry.requests.load(ordering: .relaxed))
            }
        }
        // Past the grace deadline: cut off whoever is left rather than leave threads writing to
        // sockets of a server that has returned.
        if registry.count.load(ordering: .sequentiallyConsistent) > 0 { registry.shutDownAll() }
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
        guard !draining, now >= accepting.resumeAt else { return false }
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
        if !draining && !accepting && self.accepting.resumeAt > now {
            earliest = min(earliest, self.accepting.resumeAt)
        }
        if draining { earliest = min(earliest, drainDeadline) }
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

    /// Creates the connection's thread; false (and accepting paused) if no thread can be created.
    private func start(_ socket: consuming FileDescriptor, now: Int64) -> Bool {
        _ = try? socket.setNoDelay()
        registry.count.add(1, ordering: .sequentiallyConsistent)
        // The descriptor travels to the thread as a number: the thread owns it from then on, and
        // closes it before counting itself out.
        let fd = socket.release()
        let (registry, shared, settings, hooks) = (registry, shared, settings, hooks)
        do {
            try PosixThread.spawn(stackSize: settings.threadStackSize) {
                Self.serve(fd, acceptedAt: now, registry: registry, shared: shared, settings: settings, hooks: hooks)
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

    /// The body of a connection thread. Everything it creates is released when it returns, which
    /// closes the socket.
    private static func serve(
        _ fd: Int32, acceptedAt: Int64, registry: ConnectionRegistry, shared: Responder.Shared,
        settings: ServerSettings, hooks: ServerHooks
    ) {
        let entry = ConnectionRegistry.Entry(socket: FileDescriptor(owning: fd))
        registry.insert(entry)
        defer { registry.remove(entry) }
        // One Responder per connection, as it is not thread-safe; the file cache behind it is shared.
        let responder = Responder(shared: shared)
        let connection = ThreadedConnection(
            entry: entry, registry: registry, responder: responder, settings: settings, hooks: hooks,
            acceptedAt: acceptedAt)
        connection.serve()
    }

    // MARK: Signals

    private static func blockHandledSignals() throws(Errno) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in ServerSignal.handled { sigaddset(&set, signal) }
        let result = pthread_sigmask(SIG_BLOCK, &set, nil)
        if result != 0 { throw Errno(result, "pthread_sigmask") }
    }

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

    /// Stop accepting, wake and close idle connections, let in-flight ones finish until the grace deadline.
    private func beginDrain(now: Int64) {
        guard !draining else { return }
        draining = true
        drainDeadline = now + settings.shutdownGrace
        // The listeners close when the last reference goes, as in the reactor.
        listeners.removeAll()
        registry.wakeWanted.store(true, ordering: .sequentiallyConsistent)
        registry.beginDrain()
        // After the flag: from here on every response says `Connection: close`.
        hooks.stopping?()
    }
}
