import Glibc
import HTTP1
import Posix

/// The event-loop server: one thread, one epoll set holding the listeners, every connection and a
/// signalfd. Each connection's `ConnectionCore` decides what happens; the reactor moves the bytes
/// (non-blocking recv, send, sendfile) and keeps the deadlines, going straight on to the core's next
/// action without another trip through epoll_wait when it can.
public final class Reactor {
    private let epoll: Epoll
    private var listeners: [Listener]
    private let signals: SignalDescriptor
    private var context: ConnectionContext<Responder>
    /// For connections to the status listener, when there is one.
    private var statusContext: ConnectionContext<StatusResponder>?
    private var statusListener: Listener?
    /// Connections to the site's listeners (the drain waits for these, not for health checks).
    private var siteConnections = 0

    private var connections = ConnectionTable()
    private var deadlines = DeadlineTable()
    private let pool: BufferPool
    /// The response head being built; reused for every response.
    private var out: [UInt8] = []
    /// Where lingering connections' bytes are thrown away.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)

    private var lastTick: Int64 = 0
    private var requestCount = 0
    private var accepting = AcceptLoop()
    private var acceptPaused = false
    private var acceptResumeAt: Int64 = .max
    private var drainDeadline: Int64 = .max
    /// During `shutdown_delay`: when the listeners close.
    private var listenersCloseAt: Int64 = .max

    private static let listenerTag: UInt64 = 1 << 63
    private static let signalTag: UInt64 = 1 << 62
    private static let statusTag: UInt64 = 1 << 61
    /// sendfile is capped per call so one large transfer cannot monopolise the loop; and after this
    /// many bytes in one event the connection waits for its next EPOLLOUT like everyone else.
    private static let sendfileChunk = 1 << 20
    private static let sendBudget = 4 << 20

    /// `status` answers on `statusListener` (health and metrics); `counters` counts the site's
    /// responses and connections.
    init(
        listeners: [Listener], responder: Responder, settings: ServerSettings, hooks: ServerHooks = ServerHooks(),
        counters: ServerCounters? = nil, statusListener: Listener? = nil, status: StatusResponder? = nil
    ) throws(Errno) {
        SignalDescriptor.ignoreBrokenPipe()
        self.epoll = try Epoll(capacity: 512)
        self.signals = try SignalDescriptor(ServerSignal.handled)
        self.listeners = listeners
        self.context = ConnectionContext(
            responder: responder, settings: settings, hooks: hooks, now: MonotonicClock.nanoseconds(),
            wallNow: WallClock.seconds(), counters: counters)
        if let statusListener, let status {
            // Health checks are not logged; their connections keep the site's timeouts and limits.
            var statusHooks = ServerHooks()
            statusHooks.warn = hooks.warn
            self.statusContext = ConnectionContext(
                responder: status, settings: settings, hooks: statusHooks, now: context.now, wallNow: context.wallNow)
            self.statusListener = statusListener
        }
        self.pool = BufferPool(limits: settings.parserLimits)
        out.reserveCapacity(64 * 1024)
        for (index, listener) in listeners.enumerated() {
            // Accept only once the request has arrived (nginx's `deferred`): the first recv then finds it,
            // and a client that connects and says nothing costs the kernel, not us. Best effort.
            try? listener.socket.setOption(Int32(IPPROTO_TCP), TCP_DEFER_ACCEPT, 1)
            // Workers share their listeners: a new connection wakes one of them, not all (thundering herd).
            try epoll.add(listener.socket.rawValue, .readable, token: Self.listenerTag | UInt64(index), exclusive: true)
        }
        try epoll.add(signals.descriptor.rawValue, .readable, token: Self.signalTag)
        if let statusListener {
            try epoll.add(statusListener.socket.rawValue, .readable, token: Self.statusTag, exclusive: true)
        }
    }

    deinit { scratch.deallocate() }

    /// Serves until SIGTERM/SIGINT and the drain that follows; returns the exit status.
    public func run() throws(Errno) -> Int32 {
        updateClocks()
        lastTick = context.wallNow
        context.hooks.ready?()
        while !context.draining || !listeners.isEmpty || (siteConnections > 0 && context.now < drainDeadline) {
            let count = try epoll.wait(timeoutMilliseconds: nextTimeout())
            updateClocks()
            for index in 0..<count {
                dispatch(epoll.event(at: index))
            }
            expireDeadlines()
            if context.now >= listenersCloseAt { closeListeners() }
            if acceptPaused && context.now >= acceptResumeAt { resumeAccepting() }
            if context.wallNow != lastTick {
                lastTick = context.wallNow
                context.hooks.tick?(context.wallNow, siteConnections, requestCount)
                if let counters = context.counters {
                    let lookups = context.responder.shared.cacheLookups
                    counters.fileCache(hits: lookups.hits, misses: lookups.misses)
                }
            }
        }
        context.hooks.tick?(context.wallNow, siteConnections, requestCount)
        return 0
    }

    private func updateClocks() {
        context.now = MonotonicClock.nanoseconds()
        context.wallNow = WallClock.seconds()
        statusContext?.now = context.now
        statusContext?.wallNow = context.wallNow
    }

    // MARK: Events

    private func dispatch(_ event: Epoll.Event) {
        if event.token & Self.listenerTag != 0 {
            acceptConnections(from: Int(event.token & 0xffff))
            return
        }
        if event.token == Self.signalTag {
            handleSignals()
            return
        }
        if event.token == Self.statusTag {
            acceptStatusConnections()
            return
        }
        // A stale event for a slot that was closed and reused since: the generation no longer matches.
        guard let c = connections.connection(for: event.token) else { return }
        if c.isStatus, let statusContext {
            handle(c, statusContext)
        } else {
            handle(c, context)
        }
        settle(c)
    }

    private func handle<A>(_ c: Connection, _ context: ConnectionContext<A>) {
        // EPOLLERR/EPOLLHUP arrive whatever the interest: the phase's own handler meets the error.
        switch c.core.phase {
        case .writing: onWritable(c, context)
        case .lingering: onLingering(c)
        default: perform(c, .read, mayRead: true, context)
        }
    }

    /// Makes the epoll registration and the deadline match the core after a handler ran: writable
    /// while writing, readable otherwise. Changed only when it differs, added only when the
    /// connection first waits.
    private func settle(_ c: Connection) {
        guard connections.contains(c) else { return }
        deadlines.set(c.slot, c.core.deadline)
        let writing = if case .writing = c.core.phase { true } else { false }
        let wanted: Connection.Interest = writing ? .write : .read
        guard c.interest != wanted else { return }
        do {
            if c.interest == .none {
                try epoll.add(c.socket.rawValue, writing ? .writable : .readable, token: c.token)
            } else {
                try epoll.modify(c.socket.rawValue, writing ? .writable : .readable, token: c.token)
            }
            c.interest = wanted
        } catch {
            close(c)
        }
    }

    private func acceptConnections(from index: Int) {
        guard index < listeners.count else { return }
        let limit = context.settings.maxConnections
        let outcome = accepting.accept(
            from: listeners[index], nonBlocking: true, now: context.now, warn: context.hooks.warn,
            room: { connections.count < limit },
            take: { socket in
                register(socket, context)
                return true
            })
        switch outcome {
        case .full: pauseAccepting(until: .max)
        case .shortage: pauseAccepting(until: accepting.resumeAt)
        case .drained, .refused: break
        }
    }

    private func acceptStatusConnections() {
        guard let statusListener, let statusContext else { return }
        let limit = context.settings.maxConnections
        // A shortage pauses only the site's listeners; a health check meeting EMFILE waits in the backlog.
        _ = accepting.accept(
            from: statusListener, nonBlocking: true, now: context.now, warn: context.hooks.warn,
            room: { connections.count < limit },
            take: { socket in
                register(socket, statusContext)
                return true
            })
    }

    private func register<A>(_ socket: consuming FileDescriptor, _ context: ConnectionContext<A>) {
        let core = ConnectionCore(
            socket: socket.rawValue, pool: pool, acceptedAt: context.now, settings: context.settings)
        let (slot, token) = connections.reserve()
        let isStatus = A.self == StatusResponder.self
        let c = Connection(socket: socket, slot: slot, token: token, core: core, isStatus: isStatus)
        connections.insert(c)
        if !isStatus {
            siteConnections += 1
            context.counters?.connectionOpened()
        }
        deadlines.grow(to: connections.capacity)
        // The request has usually arrived with the handshake (and with TCP_DEFER_ACCEPT it always has):
        // read it now. The connection joins the epoll set only if it has to wait, so a
        // connection-per-request client costs accept, recv, send and close, and nothing else.
        perform(c, .read, mayRead: true, context)
        settle(c)
    }

    private func pauseAccepting(until time: Int64) {
        acceptResumeAt = min(acceptResumeAt, time)
        guard !acceptPaused else { return }
        acceptPaused = true
        // An exclusive registration cannot be modified, only removed and added again.
        for listener in listeners { epoll.remove(listener.socket.rawValue) }
    }

    private func resumeAccepting() {
        guard acceptPaused, !listeners.isEmpty else { return }
        acceptPaused = false
        acceptResumeAt = .max
        for (index, listener) in listeners.enumerated() {
            try? epoll.add(
                listener.socket.rawValue, .readable, token: Self.listenerTag | UInt64(index), exclusive: true)
        }
    }

    // MARK: Moving bytes

    /// Carries out the core's actions until the connection has to wait. `mayRead` is false once a
    /// short read has drained the socket: level-triggered epoll will say when more arrives, so the
    /// recv that would only answer EAGAIN is skipped.
    private func perform<A>(_ c: Connection, _ first: ConnectionAction, mayRead: Bool, _ context: ConnectionContext<A>)
    {
        var action = first
        var mayRead = mayRead
        while true {
            switch action {
            case .read:
                guard mayRead else {
                    c.core.wouldBlock()
                    return
                }
                let space = c.core.readSpace()
                let received: Int?
                do {
                    received = try c.socket.receive(into: space)
                } catch {
                    close(c)
                    return
                }
                guard let received else {
                    c.core.wouldBlock()
                    return
                }
                if received == 0 {
                    action = c.core.inputEnded(context, into: &out)
                } else {
                    mayRead = received == space.count
                    action = c.core.received(received, context, into: &out)
                }
            case .send(let response):
                requestCount += 1
                c.transfer = ResponseTransfer(response.body)
                switch c.transfer.start(head: out, on: c.socket, chunk: Self.sendfileChunk, budget: Self.sendBudget) {
                case .finished:
                    c.transfer = ResponseTransfer(.none)
                    action = c.core.sent(context, into: &out)
                case .blocked:
                    c.core.sendBlocked(context)
                    return
                case .failed:
                    close(c)
                    return
                }
            case .linger:
                c.socket.shutdown()
                onLingering(c)
                return
            case .close:
                close(c)
                return
            }
        }
    }

    private func onWritable<A>(_ c: Connection, _ context: ConnectionContext<A>) {
        switch c.transfer.resume(on: c.socket, chunk: Self.sendfileChunk, budget: Self.sendBudget) {
        case .finished:
            c.transfer = ResponseTransfer(.none)
            // Pipelined requests waited while this response was blocked: the core answers them now.
            // Whether more has arrived, epoll will say once the interest is back to readable.
            perform(c, c.core.sent(context, into: &out), mayRead: false, context)
        case .blocked:
            c.core.sendBlocked(context)
        case .failed:
            close(c)
        }
    }

    private func onLingering(_ c: Connection) {
        // Bounded per event: a client that keeps sending must not hold the loop (level-triggered
        // epoll calls back while there is more).
        for _ in 0..<16 {
            let received: Int?
            do {
                received = try c.socket.receive(into: scratch)
            } catch {
                close(c)
                return
            }
            guard let received else { return }
            if received == 0 {
                close(c)
                return
            }
        }
    }

    private func close(_ c: Connection) {
        guard connections.remove(c) else { return }
        _ = c.core.close()
        if !c.isStatus {
            siteConnections -= 1
            context.counters?.connectionClosed()
        }
        c.transfer = ResponseTransfer(.none)
        deadlines.set(c.slot, nil)
        // The descriptor closes when the last reference to `c` goes; epoll forgets it then.
        if acceptPaused { resumeAccepting() }
    }

    // MARK: Time

    private func nextTimeout() -> Int32 {
        let earliest = min(acceptResumeAt, drainDeadline, listenersCloseAt, deadlines.earliest ?? .max)
        // Wake at least once a second: log flushing, the watchdog and the Date header live on that tick.
        let milliseconds = max(0, min(1000, (earliest - context.now + 999_999) / 1_000_000))
        return Int32(milliseconds)
    }

    private func expireDeadlines() {
        while let slot = deadlines.expired(at: context.now) {
            guard let c = connections[slot] else {
                deadlines.set(slot, nil)
                continue
            }
            if c.isStatus, let statusContext {
                perform(c, c.core.timedOut(statusContext, into: &out), mayRead: false, statusContext)
            } else {
                perform(c, c.core.timedOut(context, into: &out), mayRead: false, context)
            }
            settle(c)
        }
    }

    // MARK: Signals

    private func handleSignals() {
        while let number = try? signals.next() {
            switch ServerSignal(number) {
            case .drain: beginDrain()
            case .reload:
                // A stopping server does not reload (systemd would see READY=1 after STOPPING=1).
                if !context.draining, let (newResponder, newSettings) = context.hooks.reload?() {
                    context.responder = newResponder
                    context.settings.reload(from: newSettings)
                }
            case .reopenLogs: context.hooks.reopenLogs?()
            case nil: break
            }
        }
    }

    /// From now on every answer says `Connection: close` and `/healthz` 503; after `shutdown_delay`
    /// (at once by default) the listeners close and the drain proper begins.
    private func beginDrain() {
        guard !context.draining else { return }
        context.draining = true
        // The status listener stays: from now on /healthz says 503, until the process exits.
        statusContext?.draining = true
        statusContext?.responder.beginDrain()
        context.hooks.stopping?()
        listenersCloseAt = context.now + context.settings.shutdownDelay
        if context.now >= listenersCloseAt { closeListeners() }
    }

    /// Stop accepting, close idle connections, let in-flight responses finish until the grace deadline.
    private func closeListeners() {
        listenersCloseAt = .max
        drainDeadline = context.now + context.settings.shutdownGrace
        for listener in listeners { epoll.remove(listener.socket.rawValue) }
        listeners.removeAll()
        // Idle keep-alive connections, and accepted ones that have sent nothing, have nothing in flight.
        // Health checks go on being answered (with Connection: close) until the process exits.
        for c in connections.all where c.core.isIdle && !c.isStatus { close(c) }
    }
}
