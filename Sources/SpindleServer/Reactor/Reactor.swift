import Glibc
import HTTP1
import Posix

/// The event-loop server: one thread, one epoll set holding the listeners, every connection and a
/// signalfd. Connections move through named phases; each handler goes straight on to the next phase
/// without another trip through epoll_wait when it can.
public final class Reactor {
    private let epoll: Epoll
    private var listeners: [Listener]
    private let signals: SignalDescriptor
    private var responder: Responder
    private var settings: ServerSettings
    private let hooks: ServerHooks

    private var slots: [Connection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    private var links = DeadlineQueue.Links()
    private var headDeadlines = DeadlineQueue(id: 0)
    private var idleDeadlines = DeadlineQueue(id: 1)
    private var sendDeadlines = DeadlineQueue(id: 2)
    private var lingerDeadlines = DeadlineQueue(id: 3)
    private let pool: BufferPool
    /// The response head being built; reused for every response.
    private var out: [UInt8] = []
    /// Where lingering connections' bytes are thrown away.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)

    private var now: Int64 = 0
    private var wallNow: Int64 = 0
    private var lastTick: Int64 = 0
    private var connectionCount = 0
    private var requestCount = 0
    private var acceptPaused = false
    private var acceptResumeAt: Int64 = .max
    private var draining = false
    private var drainDeadline: Int64 = .max
    private var reportedDescriptorShortage = false

    private static let listenerTag: UInt64 = 1 << 63
    private static let signalTag: UInt64 = 1 << 62
    private static let lingerTimeout: Int64 = 2 * ServerSettings.second
    private static let acceptBurst = 64
    /// sendfile is capped per call so one large transfer cannot monopolise the loop.
    private static let sendfileChunk = 1 << 20

    public init(
        listeners: [Listener], responder: Responder, settings: ServerSettings, hooks: ServerHooks = ServerHooks()
    ) throws(Errno) {
        SignalDescriptor.ignoreBrokenPipe()
        self.epoll = try Epoll(capacity: 512)
        self.signals = try SignalDescriptor([SIGTERM, SIGINT, SIGHUP, SIGUSR1])
        self.listeners = listeners
        self.responder = responder
        self.settings = settings
        self.hooks = hooks
        self.pool = BufferPool(limits: settings.parserLimits)
        out.reserveCapacity(64 * 1024)
        for (index, listener) in listeners.enumerated() {
            // Accept only once the request has arrived (nginx's `deferred`): the first recv then finds it,
            // and a client that connects and says nothing costs the kernel, not us. Best effort.
            try? listener.socket.setOption(Int32(IPPROTO_TCP), TCP_DEFER_ACCEPT, 1)
            try epoll.add(listener.socket.rawValue, .readable, token: Self.listenerTag | UInt64(index))
        }
        try epoll.add(signals.descriptor.rawValue, .readable, token: Self.signalTag)
    }

    deinit { scratch.deallocate() }

    /// Serves until SIGTERM/SIGINT and the drain that follows; returns the exit status.
    public func run() throws(Errno) -> Int32 {
        now = MonotonicClock.nanoseconds()
        wallNow = WallClock.seconds()
        lastTick = wallNow
        hooks.ready?()
        while !draining || (connectionCount > 0 && now < drainDeadline) {
            let count = try epoll.wait(timeoutMilliseconds: nextTimeout())
            now = MonotonicClock.nanoseconds()
            wallNow = WallClock.seconds()
            for index in 0..<count {
                dispatch(epoll.event(at: index))
            }
            expireDeadlines()
            if acceptPaused && now >= acceptResumeAt { resumeAccepting() }
            if wallNow != lastTick {
                lastTick = wallNow
                hooks.tick?(wallNow, connectionCount, requestCount)
            }
        }
        hooks.tick?(wallNow, connectionCount, requestCount)
        return 0
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
        let slot = Int(event.token & 0xffff_ffff)
        // A stale event for a slot that was closed and reused since: the generation no longer matches.
        guard slot < slots.count, let connection = slots[slot], connection.token == event.token else { return }
        // EPOLLERR/EPOLLHUP arrive whatever the interest: the phase's own handler meets the error.
        switch connection.phase {
        case .readingHead: onReadable(connection)
        case .writing: onWritable(connection)
        case .lingering: onLingering(connection)
        }
        settle(connection)
    }

    /// Makes the epoll registration match the phase after a handler ran: writable while writing,
    /// readable otherwise. Changed only when it differs, added only when the connection first waits.
    private func settle(_ c: Connection) {
        guard slots[c.slot] === c else { return }
        let wanted: Connection.Interest = c.phase == .writing ? .write : .read
        guard c.interest != wanted else { return }
        do {
            if c.interest == .none {
                try epoll.add(c.socket.rawValue, wanted == .write ? .writable : .readable, token: c.token)
            } else {
                try epoll.modify(c.socket.rawValue, wanted == .write ? .writable : .readable, token: c.token)
            }
            c.interest = wanted
        } catch {
            close(c)
        }
    }

    private func acceptConnections(from index: Int) {
        guard index < listeners.count, !draining else { return }
        let listener = listeners[index]
        for _ in 0..<Self.acceptBurst {
            if connectionCount >= settings.maxConnections {
                pauseAccepting(until: .max)
                return
            }
            let accepted: FileDescriptor?
            do {
                accepted = try listener.socket.accept()
            } catch {
                switch error.code {
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop asking until one frees up (or a moment passes), instead
                    // of spinning on a listener that stays readable. Logged once per shortage.
                    if !reportedDescriptorShortage {
                        reportedDescriptorShortage = true
                        hooks.warn?("accept: \(error); pausing accepts until descriptors free up")
                    }
                    pauseAccepting(until: now + 100_000_000)
                    return
                default:
                    continue  // ECONNABORTED and the like concern only that one client
                }
            }
            guard let socket = accepted else { return }
            reportedDescriptorShortage = false
            register(socket)
        }
    }

    private func register(_ socket: consuming FileDescriptor) {
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = slots.count
            slots.append(nil)
            generations.append(0)
            links.grow(to: slots.count)
        }
        // 30 bits of generation: the token's top two bits stay free for the listener and signal tags.
        generations[slot] = (generations[slot] &+ 1) & 0x3fff_ffff
        let c = Connection(socket: socket, slot: slot, generation: generations[slot])
        slots[slot] = c
        connectionCount += 1
        // The head deadline runs from the accept: a client that connects and says nothing is a slowloris too.
        c.headDeadlineArmed = true
        headDeadlines.append(slot, deadline: now + settings.headTimeout, links: &links)
        // The request has usually arrived with the handshake (and with TCP_DEFER_ACCEPT it always has):
        // read it now. The connection joins the epoll set only if it has to wait, so a
        // connection-per-request client costs accept, recv, send and close, and nothing else.
        onReadable(c)
        settle(c)
    }

    private func pauseAccepting(until time: Int64) {
        acceptResumeAt = min(acceptResumeAt, time)
        guard !acceptPaused else { return }
        acceptPaused = true
        for (index, listener) in listeners.enumerated() {
            try? epoll.modify(listener.socket.rawValue, [], token: Self.listenerTag | UInt64(index))
        }
    }

    private func resumeAccepting() {
        guard acceptPaused, !draining else { return }
        acceptPaused = false
        acceptResumeAt = .max
        for (index, listener) in listeners.enumerated() {
            try? epoll.modify(listener.socket.rawValue, .readable, token: Self.listenerTag | UInt64(index))
        }
    }

    // MARK: Reading requests

    private func onReadable(_ c: Connection) {
        while true {
            if c.buffered > 0 {
                if c.discarding > 0 { discardBody(c) }
                if c.buffered > 0 && c.discarding == 0 {
                    let result = c.reading!.parser.parse(c.reading!.prefix(c.buffered))
                    switch result {
                    case .complete(let head, let consumed):
                        respond(c, to: head, consumed: consumed)
                        guard slots[c.slot] === c, c.phase == .readingHead else { return }
                        continue
                    case .invalid(let error):
                        respond(c, toInvalid: error)
                        return
                    case .needMore:
                        break
                    }
                }
            }
            if c.peerClosed {
                close(c)  // the client went away in the middle of a request
                return
            }
            if c.reading == nil { c.reading = pool.take() }
            if c.buffered == c.reading!.bytes.count && !c.reading!.grow(keeping: c.buffered) {
                respond(c, toInvalid: .headTooLarge)  // the parser's limit should have said so first
                return
            }
            let buffer = c.reading!.bytes
            let space = UnsafeMutableRawBufferPointer(rebasing: buffer[c.buffered...])
            let received: Int?
            do {
                received = try c.socket.receive(into: space)
            } catch {
                close(c)
                return
            }
            guard let received else {
                if c.buffered == 0 { releaseBuffer(c) }
                return
            }
            if received == 0 {
                c.peerClosed = true
                if c.buffered == 0 || c.discarding > 0 {
                    close(c)
                    return
                }
                continue
            }
            c.buffered += received
            if !c.headDeadlineArmed && c.discarding == 0 {
                c.headDeadlineArmed = true
                disarm(c)
                headDeadlines.append(c.slot, deadline: now + settings.headTimeout, links: &links)
            }
            // A short read means the socket is drained for now; epoll is level-triggered and will
            // say when more arrives, so skip the recv that would only answer EAGAIN.
            if received < space.count {
                drainBuffered(c)
                return
            }
        }
    }

    /// Answers every complete request already in the buffer, without reading again.
    private func drainBuffered(_ c: Connection) {
        while slots[c.slot] === c, c.phase == .readingHead, c.buffered > 0 {
            if c.discarding > 0 {
                discardBody(c)
                if c.buffered == 0 { break }
            }
            switch c.reading!.parser.parse(c.reading!.prefix(c.buffered)) {
            case .complete(let head, let consumed):
                respond(c, to: head, consumed: consumed)
            case .invalid(let error):
                respond(c, toInvalid: error)
                return
            case .needMore:
                if c.peerClosed { close(c) }
                return
            }
        }
        if slots[c.slot] === c, c.phase == .readingHead, c.buffered == 0 {
            if c.peerClosed {
                close(c)
            } else {
                releaseBuffer(c)
            }
        }
    }

    private func discardBody(_ c: Connection) {
        let dropped = Int(min(Int64(c.buffered), c.discarding))
        consume(c, dropped)
        c.discarding -= Int64(dropped)
        if c.discarding == 0 && c.buffered == 0 {
            // The body is gone and nothing follows yet: the connection is idle again, and the next
            // head gets its own full deadline from its first byte.
            c.headDeadlineArmed = false
            disarm(c)
            idleDeadlines.append(c.slot, deadline: now + settings.keepAliveTimeout, links: &links)
        }
    }

    /// Drops the first `count` bytes of the buffer, keeping any pipelined bytes after them.
    private func consume(_ c: Connection, _ count: Int) {
        guard let buffer = c.reading?.bytes else { return }
        let rest = c.buffered - count
        if rest > 0, let base = buffer.baseAddress {
            memmove(base, base + count, rest)
        }
        c.buffered = rest
    }

    private func releaseBuffer(_ c: Connection) {
        if let reading = c.reading {
            pool.give(reading)
            c.reading = nil
            c.buffered = 0
        }
    }

    // MARK: Answering

    private func respond(_ c: Connection, to head: RequestHead, consumed: Int) {
        var (forceClose, discard) = settings.bodyHandling(for: head)
        if draining { forceClose = true }
        out.removeAll(keepingCapacity: true)
        let request = c.reading!.prefix(c.buffered)
        let response = responder.respond(to: head, in: request, now: wallNow, forceClose: forceClose, into: &out)
        requestCount += 1
        if let log = hooks.logRequest { log(c.socket.rawValue, head, request, response, wallNow) }
        consume(c, consumed)
        c.discarding = response.keepAlive ? discard : 0
        c.reading?.parser.reset()
        if c.headDeadlineArmed {
            c.headDeadlineArmed = false
            disarm(c)
        }
        startResponse(c, response, lingerAfter: head.hasBody || c.buffered > 0)
    }

    private func respond(_ c: Connection, toInvalid error: ParseError) {
        out.removeAll(keepingCapacity: true)
        let response = responder.respond(to: error, request: c.reading!.prefix(c.buffered), now: wallNow, into: &out)
        requestCount += 1
        if let log = hooks.logRequest {
            let request = c.reading!.prefix(c.buffered)
            log(c.socket.rawValue, nil, request, response, wallNow)
        }
        c.buffered = 0
        if c.headDeadlineArmed {
            c.headDeadlineArmed = false
            disarm(c)
        }
        startResponse(c, response, lingerAfter: true)
    }

    /// Sends the head straight from the shared buffer (copying only what does not leave at once),
    /// then the body.
    private func startResponse(_ c: Connection, _ response: Response, lingerAfter: Bool) {
        c.keepAlive = response.keepAlive
        c.lingerAfter = lingerAfter
        switch response.body {
        case .none:
            break
        case .file(let file, let range):
            c.file = file
            c.fileOffset = range.lowerBound
            c.fileEnd = range.upperBound
        case .multipart(let file, let parts):
            c.file = file
            c.parts = parts
        }
        let sent: Int
        do {
            sent = try out.withUnsafeBytes { (bytes) throws(Errno) -> Int in
                try c.socket.send(bytes, more: c.hasBodyWork) ?? 0
            }
        } catch {
            close(c)
            return
        }
        if sent < out.count {
            c.pending = Array(out[sent...])
            c.pendingOffset = 0
        }
        continueResponse(c)
    }

    private func onWritable(_ c: Connection) {
        continueResponse(c)
    }

    private enum Progress { case finished, blocked, failed }

    private func continueResponse(_ c: Connection) {
        switch pump(c) {
        case .failed:
            close(c)
        case .blocked:
            c.phase = .writing
            disarm(c)
            sendDeadlines.append(c.slot, deadline: now + settings.sendTimeout, links: &links)
        case .finished:
            let wasWriting = c.phase == .writing
            c.clearResponse()
            disarm(c)
            c.phase = .readingHead
            if !c.keepAlive || draining {
                finish(c)
            } else if c.buffered == 0 && c.discarding == 0 {
                if c.peerClosed {
                    close(c)
                } else {
                    // Level-triggered epoll reports anything that arrived while we were writing.
                    idleDeadlines.append(c.slot, deadline: now + settings.keepAliveTimeout, links: &links)
                }
            } else {
                // Part of the next request, or of a body to discard, is already here: the head deadline
                // runs from that first byte.
                c.headDeadlineArmed = true
                headDeadlines.append(c.slot, deadline: now + settings.headTimeout, links: &links)
                // Pipelined requests waited while this response was blocked; answer them now. (When the
                // response went out at once, the read loop that called us carries on by itself.)
                if wasWriting { onReadable(c) }
            }
        }
    }

    /// Moves pending bytes, then the file range, then the remaining multipart parts.
    private func pump(_ c: Connection) -> Progress {
        // A fast reader could keep one transfer going for ever; after this many bytes the connection
        // waits for its next EPOLLOUT like everyone else.
        var budget = 4 * Self.sendfileChunk
        do {
            while true {
                if budget <= 0 { return .blocked }
                if c.pendingOffset < c.pending.count {
                    let sent = try c.pending.withUnsafeBytes { (bytes) throws(Errno) -> Int? in
                        try c.socket.send(
                            UnsafeRawBufferPointer(rebasing: bytes[c.pendingOffset...]), more: c.hasBodyWork)
                    }
                    guard let sent else { return .blocked }
                    c.pendingOffset += sent
                    continue
                }
                if c.fileOffset < c.fileEnd, let file = c.file {
                    let count = Int(min(c.fileEnd - c.fileOffset, Int64(Self.sendfileChunk)))
                    guard let sent = try c.socket.sendFile(from: file.descriptor, offset: &c.fileOffset, count: count)
                    else { return .blocked }
                    budget -= sent
                    // The file shrank under us: the promised Content-Length can no longer be met.
                    if sent == 0 { return .failed }
                    continue
                }
                guard c.partIndex < c.parts.count else { return .finished }
                let part = c.parts[c.partIndex]
                c.partIndex += 1
                switch part {
                case .bytes(let bytes):
                    c.pending = bytes
                    c.pendingOffset = 0
                case .file(let range):
                    c.fileOffset = range.lowerBound
                    c.fileEnd = range.upperBound
                }
            }
        } catch {
            return .failed
        }
    }

    // MARK: Closing

    /// After a response that ends the connection: close at once, or linger when the client may still
    /// be sending (unread bytes at close would make the kernel reset the connection, and the reset
    /// can destroy the response before the client reads it).
    private func finish(_ c: Connection) {
        guard c.lingerAfter || c.buffered > 0 || c.discarding > 0 else {
            close(c)
            return
        }
        releaseBuffer(c)
        c.socket.shutdown()
        c.phase = .lingering
        lingerDeadlines.append(c.slot, deadline: now + Self.lingerTimeout, links: &links)
        onLingering(c)
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
        guard slots[c.slot] === c else { return }
        disarm(c)
        releaseBuffer(c)
        c.clearResponse()
        slots[c.slot] = nil
        freeSlots.append(c.slot)
        connectionCount -= 1
        // The descriptor closes when the last reference to `c` goes; epoll forgets it then.
        if acceptPaused { resumeAccepting() }
    }

    private func disarm(_ c: Connection) { disarm(slot: c.slot) }

    // MARK: Time

    private func nextTimeout() -> Int32 {
        var earliest = min(acceptResumeAt, drainDeadline)
        // Each queue's head is its earliest deadline.
        func consider(_ head: Int) { if head >= 0 { earliest = min(earliest, links.deadline[head]) } }
        consider(headDeadlines.head)
        consider(idleDeadlines.head)
        consider(sendDeadlines.head)
        consider(lingerDeadlines.head)
        // Wake at least once a second: log flushing, the watchdog and the Date header live on that tick.
        let milliseconds = max(0, min(1000, (earliest - now + 999_999) / 1_000_000))
        return Int32(milliseconds)
    }

    private func expireDeadlines() {
        while headDeadlines.head >= 0, links.deadline[headDeadlines.head] <= now {
            guard let c = slots[headDeadlines.head] else {
                headDeadlines.remove(headDeadlines.head, links: &links)
                continue
            }
            headTimedOut(c)
        }
        for queueID in 1...3 {
            while true {
                let head =
                    switch queueID {
                    case 1: idleDeadlines.head
                    case 2: sendDeadlines.head
                    default: lingerDeadlines.head
                    }
                guard head >= 0, links.deadline[head] <= now else { break }
                if let c = slots[head] {
                    close(c)
                } else {
                    disarm(slot: head)
                }
            }
        }
    }

    private func disarm(slot: Int) {
        switch links.queue[slot] {
        case 0: headDeadlines.remove(slot, links: &links)
        case 1: idleDeadlines.remove(slot, links: &links)
        case 2: sendDeadlines.remove(slot, links: &links)
        case 3: lingerDeadlines.remove(slot, links: &links)
        default: break
        }
    }

    /// A head that did not arrive in time: a 408 if the client sent anything, then close.
    private func headTimedOut(_ c: Connection) {
        disarm(c)
        c.headDeadlineArmed = false
        if c.buffered > 0 {
            out.removeAll(keepingCapacity: true)
            let response = responder.respond(status: .requestTimeout, now: wallNow, into: &out)
            if let log = hooks.logRequest {
                log(c.socket.rawValue, nil, c.reading!.prefix(c.buffered), response, wallNow)
            }
            _ = out.withUnsafeBytes { try? c.socket.send($0) }
        }
        close(c)
    }

    // MARK: Signals

    private func handleSignals() {
        while let signal = try? signals.next() {
            switch signal {
            case SIGTERM, SIGINT: beginDrain()
            case SIGHUP:
                // A stopping server does not reload (systemd would see READY=1 after STOPPING=1).
                if !draining, let (newResponder, newSettings) = hooks.reload?() {
                    responder = newResponder
                    settings.reload(from: newSettings)
                }
            case SIGUSR1: hooks.reopenLogs?()
            default: break
            }
        }
    }

    /// Stop accepting, close idle connections, let in-flight responses finish until the grace deadline.
    private func beginDrain() {
        guard !draining else { return }
        draining = true
        hooks.stopping?()
        drainDeadline = now + settings.shutdownGrace
        for listener in listeners { epoll.remove(listener.socket.rawValue) }
        listeners.removeAll()
        // Idle keep-alive connections, and accepted ones that have sent nothing, have nothing in flight.
        for case let c? in slots where c.phase == .readingHead && c.buffered == 0 && c.discarding == 0 {
            close(c)
        }
    }
}
