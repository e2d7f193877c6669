import HTTP1

/// One HTTP/1.1 connection's logic, shared by both serving modes and free of I/O: it takes the bytes
/// received and the time, and says what to do next (`ConnectionAction`). It owns the read buffer and
/// the parser, reads request bodies (Content-Length or chunked) and throws them away, keeps requests
/// in pipelining order, and decides keep-alive, the 400/408/413 answers and lingering. The serving
/// modes only move bytes and keep time around it; tests drive it with no socket at all.
///
/// Decisions worth knowing:
/// - A request body is read and dropped before the request is answered, so a malformed chunked body
///   gets its 400 instead of a 200 followed by a broken connection, and the answer to a request never
///   overtakes its body. A body larger than `maxDiscardedBody` (announced, or once the chunks pass
///   it) gets 413 and a lingering close (nginx's `client_max_body_size`).
/// - `Expect: 100-continue` with a body is answered at once and the connection closed: the client
///   may never send the body it announced, so counting its bytes could eat the next request
///   (RFC 9110 §10.1.1).
/// - The head deadline covers the head and the body; a head that does not arrive in time gets 408 if
///   any of it was received.
struct ConnectionCore {
    enum Phase {
        /// Between requests with nothing buffered: no buffer is held.
        case idle(until: Int64)
        /// Waiting for (the rest of) a request head; an accepted connection starts here.
        case readingHead(until: Int64)
        /// A complete head waits at the front of the buffer while its body is read and dropped.
        case readingBody(PendingRequest, until: Int64)
        /// An answer is being sent; then the connection goes on as `then` says.
        case writing(then: AfterResponse, until: Int64)
        case lingering(until: Int64)
        case closed
    }

    enum AfterResponse { case keepAlive, linger, close }

    enum BodyReader {
        case length(remaining: Int64)
        case chunked(ChunkedDecoder)
    }

    /// A request with a body, between its head and its answer. A class, so that the phase stays a
    /// word or two: requests with bodies are rare, and a head is large.
    final class PendingRequest {
        let head: RequestHead
        let headLength: Int
        var reader: BodyReader

        init(head: RequestHead, headLength: Int, reader: BodyReader) {
            self.head = head
            self.headLength = headLength
            self.reader = reader
        }
    }

    static let lingerTimeout: Int64 = 2 * ServerSettings.second

    private(set) var phase: Phase
    /// The client's descriptor number, for the access log's address lookup only.
    private let socket: Int32
    private let pool: BufferPool
    /// Lent by the pool while a request is being read; nil while idle.
    private var buffer: ReadBuffer?
    private var buffered = 0
    /// The client shut down its sending side: answer what is complete, then close.
    private var inputClosed = false

    init(socket: Int32, pool: BufferPool, acceptedAt now: Int64, settings: ServerSettings) {
        self.socket = socket
        self.pool = pool
        // The head deadline runs from the accept: a client that connects and says nothing is a slowloris too.
        phase = .readingHead(until: now + settings.headTimeout)
    }

    /// The deadline the serving mode must keep now, if any.
    var deadline: Deadline? {
        switch phase {
        case .idle(let time): Deadline(kind: .idle, time: time)
        case .readingHead(let time), .readingBody(_, let time): Deadline(kind: .head, time: time)
        case .writing(_, let time): Deadline(kind: .send, time: time)
        case .lingering(let time): Deadline(kind: .linger, time: time)
        case .closed: nil
        }
    }

    /// Nothing is in flight: a draining server may close the connection.
    var isIdle: Bool {
        switch phase {
        case .idle: true
        case .readingHead: buffered == 0
        default: false
        }
    }

    /// Where the next bytes go. Call only after `.read`.
    mutating func readSpace() -> UnsafeMutableRawBufferPointer {
        let buffer = self.buffer ?? pool.take()
        self.buffer = buffer
        // `advance` answered 431 rather than ask to read into a full buffer that cannot grow.
        if buffered == buffer.bytes.count { _ = buffer.grow(keeping: buffered) }
        return UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[buffered...])
    }

    /// `count` bytes arrived in `readSpace()`.
    mutating func received<A: Answering>(_ count: Int, _ context: ConnectionContext<A>, into out: inout [UInt8])
        -> ConnectionAction
    {
        buffered += count
        if case .idle = phase {
            dropEmptyLines()
            guard buffered > 0 else { return .read }
            phase = .readingHead(until: context.now + context.settings.headTimeout)
        }
        return advance(context, into: &out)
    }

    /// The client closed its sending side.
    mutating func inputEnded<A: Answering>(_ context: ConnectionContext<A>, into out: inout [UInt8]) -> ConnectionAction
    {
        inputClosed = true
        if case .lingering = phase { return close() }
        return advance(context, into: &out)
    }

    /// The socket has nothing more for now: give an empty buffer back to the pool.
    mutating func wouldBlock() {
        if buffered == 0 { releaseBuffer() }
    }

    /// The response has made the sender wait: the send deadline runs from now.
    mutating func sendBlocked<A: Answering>(_ context: ConnectionContext<A>) {
        if case .writing(let then, _) = phase {
            phase = .writing(then: then, until: context.now + context.settings.sendTimeout)
        }
    }

    /// The whole response has gone.
    mutating func sent<A: Answering>(_ context: ConnectionContext<A>, into out: inout [UInt8]) -> ConnectionAction {
        guard case .writing(var then, _) = phase else { return advance(context, into: &out) }
        if then == .keepAlive && (context.draining || (inputClosed && buffered == 0)) {
            then = buffered > 0 ? .linger : .close
        }
        switch then {
        case .keepAlive:
            dropEmptyLines()
            if buffered == 0 {
                releaseBuffer()
                phase = .idle(until: context.now + context.settings.keepAliveTimeout)
                return .read
            }
            // Part of the next request is already here: its head deadline runs from now.
            phase = .readingHead(until: context.now + context.settings.headTimeout)
            return advance(context, into: &out)
        case .linger:
            releaseBuffer()
            phase = .lingering(until: context.now + Self.lingerTimeout)
            return .linger
        case .close:
            return close()
        }
    }

    /// The deadline passed.
    mutating func timedOut<A: Answering>(_ context: ConnectionContext<A>, into out: inout [UInt8]) -> ConnectionAction {
        switch phase {
        case .readingHead where buffered > 0, .readingBody:
            out.removeAll(keepingCapacity: true)
            let response = context.responder.respond(status: .requestTimeout, now: context.wallNow, into: &out)
            context.counters?.response(response)
            context.hooks.logRequest?(socket, nil, received, response, context.wallNow)
            // A client still sending its body must not have the 408 destroyed by a reset.
            let then: AfterResponse = if case .readingBody = phase { .linger } else { .close }
            releaseBuffer()
            phase = .writing(then: then, until: context.now + context.settings.sendTimeout)
            return .send(response)
        default:
            return close()
        }
    }

    /// Ends the connection (also when the serving mode gives up on it); returns `.close`.
    mutating func close() -> ConnectionAction {
        releaseBuffer()
        phase = .closed
        return .close
    }

    // MARK: Requests

    /// Goes as far as the buffered bytes allow: the next answer, or a request for more bytes.
    private mutating func advance<A: Answering>(_ context: ConnectionContext<A>, into out: inout [UInt8])
        -> ConnectionAction
    {
        switch phase {
        case .idle, .readingHead:
            guard buffered > 0, let buffer else { return inputClosed ? close() : .read }
            switch buffer.parser.parse(received) {
            case .complete(let head, let consumed):
                return begin(head, headLength: consumed, context, into: &out)
            case .invalid(let error):
                return reject(error, context, into: &out)
            case .needMore:
                if inputClosed { return close() }  // the client went away in the middle of a request
                if buffered == buffer.bytes.count && !buffer.grow(keeping: buffered) {
                    return reject(.headTooLarge, context, into: &out)  // the parser's limit should have said so first
                }
                return .read
            }
        case .readingBody(let request, _):
            return readBody(request, context, into: &out)
        case .writing:
            return .read  // not reached: the serving mode reports `sent` first
        case .lingering:
            return .linger
        case .closed:
            return .close
        }
    }

    /// A complete head: answer it, or first read its body.
    private mutating func begin<A: Answering>(
        _ head: RequestHead, headLength: Int, _ context: ConnectionContext<A>, into out: inout [UInt8]
    ) -> ConnectionAction {
        guard head.hasBody else { return answer(head, headLength: headLength, context, into: &out) }
        if head.expectsContinue {
            return answer(head, headLength: headLength, closing: true, context, into: &out)
        }
        let limit = context.settings.maxDiscardedBody
        let reader: BodyReader
        if let length = head.contentLength, !head.isChunked {
            guard length <= limit else { return reject(.bodyTooLarge, context, into: &out) }
            reader = .length(remaining: length)
        } else {
            reader = .chunked(ChunkedDecoder(limits: context.settings.parserLimits, maxData: limit))
        }
        guard case .readingHead(let until) = phase else { return .read }
        let request = PendingRequest(head: head, headLength: headLength, reader: reader)
        phase = .readingBody(request, until: until)
        return readBody(request, context, into: &out)
    }

    /// Drops the body bytes that follow the head in the buffer; answers once the body has ended.
    private mutating func readBody<A: Answering>(
        _ request: PendingRequest, _ context: ConnectionContext<A>, into out: inout [UInt8]
    ) -> ConnectionAction {
        let headLength = request.headLength
        let available = buffered - headLength
        let dropped: Int
        let ended: Bool
        switch request.reader {
        case .length(let remaining):
            dropped = Int(min(remaining, Int64(available)))
            ended = remaining == Int64(dropped)
            request.reader = .length(remaining: remaining - Int64(dropped))
        case .chunked(var decoder):
            let body = UnsafeRawBufferPointer(rebasing: received[headLength...])
            switch decoder.consume(body) {
            case .needMore:
                dropped = available
                ended = false
            case .done(let consumed):
                dropped = consumed
                ended = true
            case .invalid(let error):
                return reject(error, context, into: &out)
            }
            request.reader = .chunked(decoder)
        }
        remove(dropped, at: headLength)
        if ended { return answer(request.head, headLength: headLength, context, into: &out) }
        return inputClosed ? close() : .read
    }

    /// Asks the Responder for the answer to the head at the front of the buffer, then drops the head.
    private mutating func answer<A: Answering>(
        _ head: RequestHead, headLength: Int, closing: Bool = false, _ context: ConnectionContext<A>,
        into out: inout [UInt8]
    ) -> ConnectionAction {
        out.removeAll(keepingCapacity: true)
        let request = UnsafeRawBufferPointer(rebasing: received[..<headLength])
        let response = context.responder.respond(
            to: head, in: request, now: context.wallNow, forceClose: closing || context.draining, into: &out)
        context.counters?.response(response)
        context.hooks.logRequest?(socket, head, request, response, context.wallNow)
        remove(headLength, at: 0)
        buffer?.parser.reset()
        let then: AfterResponse
        if response.keepAlive {
            then = .keepAlive
        } else {
            // A body left unread, or bytes of a further request: the client may still be sending.
            then = closing || buffered > 0 ? .linger : .close
        }
        phase = .writing(then: then, until: context.now + context.settings.sendTimeout)
        return .send(response)
    }

    /// Answers a request whose framing cannot be trusted, then lingers and closes.
    private mutating func reject<A: Answering>(
        _ error: ParseError, _ context: ConnectionContext<A>, into out: inout [UInt8]
    ) -> ConnectionAction {
        out.removeAll(keepingCapacity: true)
        let response = context.responder.respond(to: error, request: received, now: context.wallNow, into: &out)
        context.counters?.response(response)
        context.counters?.parseError(error)
        context.hooks.logRequest?(socket, nil, received, response, context.wallNow)
        releaseBuffer()
        phase = .writing(then: .linger, until: context.now + context.settings.sendTimeout)
        return .send(response)
    }

    // MARK: Buffer

    /// The bytes received and not yet consumed.
    private var received: UnsafeRawBufferPointer {
        guard let buffer else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return buffer.prefix(buffered)
    }

    /// Drops the empty lines (CRLF) a client may send between requests, which RFC 9112 §2.2 says to
    /// ignore: they must not count as a request begun (a head deadline, a 408, no drain).
    private mutating func dropEmptyLines() {
        guard let bytes = buffer?.bytes else { return }
        var count = 0
        while count + 1 < buffered && bytes[count] == 0x0D && bytes[count + 1] == 0x0A { count += 2 }
        remove(count, at: 0)
    }

    /// Removes `count` bytes at `offset`, moving any bytes after them down.
    private mutating func remove(_ count: Int, at offset: Int) {
        guard count > 0, let base = buffer?.bytes.baseAddress else { return }
        let after = buffered - offset - count
        if after > 0 { (base + offset).copyMemory(from: base + offset + count, byteCount: after) }
        buffered -= count
    }

    private mutating func releaseBuffer() {
        if let buffer {
            pool.give(buffer)
            self.buffer = nil
        }
        buffered = 0
    }
}
