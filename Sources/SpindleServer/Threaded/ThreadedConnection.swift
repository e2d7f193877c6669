import Glibc
import HTTP1
import Posix

/// One connection served on its own thread with blocking calls. Its `ConnectionCore` decides
/// everything, exactly as in the reactor; this only moves the bytes and keeps the core's deadlines,
/// as socket options (SO_RCVTIMEO set to the time left before each recv, SO_SNDTIMEO once) instead
/// of deadline lists.
final class ThreadedConnection<Answerer: Answering> {
    private enum Received {
        case bytes(Int)
        case end
        case timedOut
        case failed
    }

    private let entry: ConnectionRegistry.Entry
    private let registry: ConnectionRegistry
    private var context: ConnectionContext<Answerer>
    private var core: ConnectionCore
    /// The response head being built; reused for every response on this connection.
    private var out: [UInt8] = []

    /// Linux's own cap on one sendfile call.
    private static var sendfileChunk: Int { 0x7fff_f000 }

    init(
        entry: ConnectionRegistry.Entry, registry: ConnectionRegistry, responder: Answerer,
        settings: ServerSettings, hooks: ServerHooks, counters: ServerCounters?, acceptedAt: Int64
    ) {
        self.entry = entry
        self.registry = registry
        self.context = ConnectionContext(
            responder: responder, settings: settings, hooks: hooks, now: acceptedAt, wallNow: WallClock.seconds(),
            counters: counters)
        // A pool of its own: buffers are not shared between threads, and this one lends one buffer.
        self.core = ConnectionCore(
            socket: entry.socket.rawValue, pool: BufferPool(limits: settings.parserLimits, keepAtMost: 1),
            acceptedAt: acceptedAt, settings: settings)
        out.reserveCapacity(4096)
    }

    /// Serves requests until the connection ends. The caller closes the socket afterwards.
    func serve() {
        do {
            try entry.socket.setTimeout(SO_SNDTIMEO, nanoseconds: context.settings.sendTimeout)
        } catch {
            return
        }
        var action = ConnectionAction.read
        while true {
            switch action {
            case .read:
                action = read()
            case .send(let response):
                registry.requests.add(1, ordering: .relaxed)
                var transfer = ResponseTransfer(response.body)
                // On a blocking socket `.blocked` means SO_SNDTIMEO passed with nothing sent.
                guard transfer.start(head: out, on: entry.socket, chunk: Self.sendfileChunk, budget: .max) == .finished
                else { return }
                refreshContext()
                action = core.sent(context, into: &out)
            case .linger:
                linger()
                return
            case .close:
                return
            }
        }
    }

    private func refreshContext() {
        context.now = MonotonicClock.nanoseconds()
        context.wallNow = WallClock.seconds()
        // After this, every answer says `Connection: close`.
        context.draining = registry.closing.load(ordering: .relaxed)
    }

    /// One blocking recv under the core's deadline, and what the core makes of it.
    private func read() -> ConnectionAction {
        let idle = core.isIdle
        if idle {
            entry.idle.store(true, ordering: .sequentiallyConsistent)
            // After the store: either this thread sees the drain, or the drain sees this thread idle
            // and shuts its socket for reading, so the recv below returns 0 at once.
            if registry.draining.load(ordering: .sequentiallyConsistent) { return core.close() }
        }
        defer { if idle { entry.idle.store(false, ordering: .sequentiallyConsistent) } }
        let result = receive(into: core.readSpace())
        refreshContext()
        switch result {
        case .bytes(let count): return core.received(count, context, into: &out)
        case .end: return core.inputEnded(context, into: &out)
        case .timedOut: return core.timedOut(context, into: &out)
        case .failed: return core.close()
        }
    }

    /// Receives into `buffer` before the core's deadline.
    private func receive(into buffer: UnsafeMutableRawBufferPointer) -> Received {
        while true {
            guard let deadline = core.deadline else { return .failed }
            let remaining = deadline.time - MonotonicClock.nanoseconds()
            guard remaining > 0 else { return .timedOut }
            do {
                // A zero timeval means "no timeout": never let the rounding to microseconds produce one.
                try entry.socket.setTimeout(SO_RCVTIMEO, nanoseconds: max(remaining, 1000))
                // nil: SO_RCVTIMEO expired (it may round down a little: check the clock, not the error).
                guard let received = try entry.socket.receive(into: buffer) else { continue }
                return received == 0 ? .end : .bytes(received)
            } catch {
                return .failed
            }
        }
    }

    /// Shuts down our side and reads until the client closes or the core's linger deadline passes.
    private func linger() {
        entry.socket.shutdown()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { scratch.deallocate() }
        while case .bytes = receive(into: scratch) {}
    }
}
