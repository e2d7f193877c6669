import Glibc
import HTTP1
import Posix

/// One connection served on its own thread with blocking calls: read, parse, answer, keep alive,
/// close. The same rules as the reactor's connection phases; timeouts are socket options
/// (SO_RCVTIMEO set to the time left before each recv, SO_SNDTIMEO once) instead of deadline queues.
final class ThreadedConnection {
    /// What the next recv waits for, which decides its deadline.
    private enum Waiting {
        /// Not decided yet: a response has just been sent.
        case nothing
        /// The rest of a request head: an absolute deadline from its first byte (or from the accept).
        case head
        /// A request body being discarded. The reactor arms no timer here; a client that stops
        /// half-way through a small body must not hold a thread forever, so this gets the head timeout.
        case body
        /// The first byte of the next request on a keep-alive connection.
        case idle
    }

    private let entry: ConnectionRegistry.Entry
    private let registry: ConnectionRegistry
    private let responder: Responder
    private let settings: ServerSettings
    private let hooks: ServerHooks

    private var parser: RequestParser
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    /// Bytes of a request body still to be read and thrown away.
    private var discarding: Int64 = 0
    private var peerClosed = false
    private var waiting = Waiting.head
    private var deadline: Int64
    /// The response head being built; reused for every response on this connection.
    private var out: [UInt8] = []

    private static let lingerTimeout: Int64 = 2 * ServerSettings.second
    /// Linux's own cap on one sendfile call.
    private static let sendfileChunk = 0x7fff_f000

    init(
        entry: ConnectionRegistry.Entry, registry: ConnectionRegistry, responder: Responder,
        settings: ServerSettings, hooks: ServerHooks, acceptedAt: Int64
    ) {
        self.entry = entry
        self.registry = registry
        self.responder = responder
        self.settings = settings
        self.hooks = hooks
        self.parser = RequestParser(limits: settings.parserLimits)
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: settings.parserLimits.maxHead, alignment: 16)
        // The head deadline runs from the accept: a client that connects and says nothing is a slowloris too.
        self.deadline = acceptedAt + settings.headTimeout
        out.reserveCapacity(4096)
    }

    deinit { buffer.deallocate() }

    /// Serves requests until the connection ends. The caller closes the socket afterwards.
    func serve() {
        do {
            try entry.socket.setTimeout(SO_SNDTIMEO, nanoseconds: settings.sendTimeout)
        } catch {
            return
        }
        while true {
            if buffered > 0 {
                if discarding > 0 { discardBuffered() }
                if buffered > 0 && discarding == 0 {
                    switch parser.parse(UnsafeRawBufferPointer(rebasing: buffer[..<buffered])) {
                    case .complete(let head, let consumed):
                        guard respond(to: head, consumed: consumed) else { return }
                        continue
                    case .invalid(let error):
                        respond(toInvalid: error)
                        return
                    case .needMore:
                        break
                    }
                }
            }
            if peerClosed { return }  // the client went away in the middle of a request
            guard buffered < buffer.count else {
                respond(toInvalid: .headTooLarge)  // the parser's limit should have said so first
                return
            }
            guard receive() else { return }
        }
    }

    // MARK: Reading

    /// One blocking recv with the deadline that applies; false when the connection is to end.
    private func receive() -> Bool {
        var now = MonotonicClock.nanoseconds()
        let idle = buffered == 0 && discarding == 0
        switch waiting {
        case .nothing, .body, .idle:
            if discarding > 0 {
                if waiting != .body { arm(.body, now + settings.headTimeout) }
            } else if buffered > 0 {
                // The rest of a pipelined request, or the first bytes of one that arrived while idle.
                arm(.head, now + settings.headTimeout)
            } else if waiting != .idle {
                arm(.idle, now + settings.keepAliveTimeout)
            }
        case .head:
            break
        }
        if idle {
            entry.idle.store(true, ordering: .sequentiallyConsistent)
            // After the store: either this thread sees the drain, or the drain sees this thread idle
            // and shuts its socket for reading, so the recv below returns 0 at once.
            if registry.draining.load(ordering: .sequentiallyConsistent) { return false }
        }
        defer { if idle { entry.idle.store(false, ordering: .sequentiallyConsistent) } }
        while true {
            let remaining = deadline - now
            guard remaining > 0 else {
                timedOut()
                return false
            }
            let received: Int?
            do {
                // A zero timeval means "no timeout": never let the rounding to microseconds produce one.
                try entry.socket.setTimeout(SO_RCVTIMEO, nanoseconds: max(remaining, 1000))
                received = try entry.socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[buffered...]))
            } catch {
                return false
            }
            guard let received else {
                // SO_RCVTIMEO expired (it may round down a little: check the clock, not the error).
                now = MonotonicClock.nanoseconds()
                continue
            }
            if received == 0 {
                peerClosed = true
                return buffered > 0 && discarding == 0
            }
            buffered += received
            return true
        }
    }

    private func arm(_ kind: Waiting, _ time: Int64) {
        waiting = kind
        deadline = time
    }

    private func discardBuffered() {
        let dropped = Int(min(Int64(buffered), discarding))
        consume(dropped)
        discarding -= Int64(dropped)
    }

    /// Drops the first `count` bytes of the buffer, keeping any pipelined bytes after them.
    private func consume(_ count: Int) {
        let rest = buffered - count
        if rest > 0, let base = buffer.baseAddress {
            memmove(base, base + count, rest)
        }
        buffered = rest
    }

    /// A head that did not arrive in time: a 408 if the client sent any of it, then close.
    private func timedOut() {
        guard waiting == .head, buffered > 0, discarding == 0 else { return }
        out.removeAll(keepingCapacity: true)
        let now = WallClock.seconds()
        let response = responder.respond(status: .requestTimeout, now: now, into: &out)
        registry.requests.add(1, ordering: .relaxed)
        if let log = hooks.logRequest {
            log(entry.socket.rawValue, nil, UnsafeRawBufferPointer(rebasing: buffer[..<buffered]), response, now)
        }
        _ = write(response)
    }

    // MARK: Answering

    /// Answers one parsed request; false when the connection is to end.
    private func respond(to head: RequestHead, consumed: Int) -> Bool {
        var (forceClose, discard) = settings.bodyHandling(for: head)
        if registry.draining.load(ordering: .relaxed) { forceClose = true }
        out.removeAll(keepingCapacity: true)
        let now = WallClock.seconds()
        let request = UnsafeRawBufferPointer(rebasing: buffer[..<buffered])
        let response = responder.respond(to: head, in: request, now: now, forceClose: forceClose, into: &out)
        registry.requests.add(1, ordering: .relaxed)
        if let log = hooks.logRequest { log(entry.socket.rawValue, head, request, response, now) }
        consume(consumed)
        discarding = response.keepAlive ? discard : 0
        parser.reset()
        waiting = .nothing
        guard write(response) else { return false }
        if !response.keepAlive {
            finish(linger: head.hasBody || buffered > 0 || discarding > 0)
            return false
        }
        return !(peerClosed && buffered == 0 && discarding == 0)
    }

    private func respond(toInvalid error: ParseError) {
        out.removeAll(keepingCapacity: true)
        let now = WallClock.seconds()
        let response = responder.respond(
            to: error, request: UnsafeRawBufferPointer(rebasing: buffer[..<buffered]), now: now, into: &out)
        registry.requests.add(1, ordering: .relaxed)
        if let log = hooks.logRequest {
            log(entry.socket.rawValue, nil, UnsafeRawBufferPointer(rebasing: buffer[..<buffered]), response, now)
        }
        buffered = 0
        // The framing of whatever follows is unknown: the connection ends whatever the response says.
        if write(response) { finish(linger: true) }
    }

    /// Sends the head in `out`, then the body; false if the connection failed (peer gone, send
    /// timeout, file truncated under us).
    private func write(_ response: Response) -> Bool {
        let hasBody =
            switch response.body {
            case .none: false
            case .file(_, let range): !range.isEmpty
            case .multipart(_, let parts): !parts.isEmpty
            }
        do {
            try sendAll(out, more: hasBody)
            switch response.body {
            case .none:
                break
            case .file(let file, let range):
                try sendFile(file, range)
            case .multipart(let file, let parts):
                for (index, part) in parts.enumerated() {
                    switch part {
                    case .bytes(let bytes):
                        try sendAll(bytes, more: index < parts.count - 1)
                    case .file(let range):
                        try sendFile(file, range)
                    }
                }
            }
            return true
        } catch {
            return false
        }
    }

    private func sendAll(_ bytes: [UInt8], more: Bool) throws(Errno) {
        // The error is carried out of the closure by hand: a typed-throws closure returning Void
        // here crashes the 6.3.1 compiler (IRGen of the reabstraction thunk).
        let failure = bytes.withUnsafeBytes { (bytes) -> Errno? in
            do throws(Errno) {
                try entry.socket.sendAll(bytes, more: more)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    private func sendFile(_ file: OpenFile, _ range: Range<Int64>) throws(Errno) {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = Int(min(range.upperBound - offset, Int64(Self.sendfileChunk)))
            // nil: SO_SNDTIMEO passed with nothing sent.
            guard let sent = try entry.socket.sendFile(from: file.descriptor, offset: &offset, count: count) else {
                throw Errno(EAGAIN, "sendfile")
            }
            // The file shrank under us: the promised Content-Length can no longer be met.
            if sent == 0 { throw Errno(EIO, "sendfile: file truncated") }
        }
    }

    // MARK: Closing

    /// After a response that ends the connection: return (the caller closes) or linger first when
    /// the client may still be sending (unread bytes at close would make the kernel reset the
    /// connection, and the reset can destroy the response before the client reads it).
    private func finish(linger: Bool) {
        guard linger else { return }
        entry.socket.shutdown()
        let end = MonotonicClock.nanoseconds() + Self.lingerTimeout
        while true {
            let remaining = end - MonotonicClock.nanoseconds()
            guard remaining > 0 else { return }
            do {
                try entry.socket.setTimeout(SO_RCVTIMEO, nanoseconds: max(remaining, 1000))
                guard let received = try entry.socket.receive(into: buffer) else { continue }
                if received == 0 { return }
            } catch {
                return
            }
        }
    }
}
