import HTTP1
import Synchronization
import Testing

@testable import SpindleServer

/// Drives a `ConnectionCore` as a serving mode would, with no socket: the test chooses how the bytes
/// arrive and what time it is (`context.now`), and every answer is written down in a transcript.
struct CoreDriver {
    var core: ConnectionCore
    var context: ConnectionContext<Responder>
    /// What the connection did, in order: each answer's status code from its status line (with
    /// " close" when the answer ends the connection), then "linger" or "close" if it ended.
    var transcript: [String] = []
    var answers: [Answer] = []
    /// The core's last word.
    private(set) var action = ConnectionAction.read
    /// Reports every answer as sent at once, like a client that reads fast. When false the test
    /// calls `sent()` itself and can look at the core while the answer is on its way.
    var sendsAtOnce = true
    private var out: [UInt8] = []

    static let acceptedAt: Int64 = 5 * ServerSettings.second

    init(_ responder: Responder, settings: ServerSettings = ServerSettings(), pool: BufferPool? = nil) {
        context = ConnectionContext(
            responder: responder, settings: settings, hooks: ServerHooks(), now: Self.acceptedAt,
            wallNow: ResponderTests.now)
        core = ConnectionCore(
            socket: -1, pool: pool ?? BufferPool(limits: settings.parserLimits), acceptedAt: Self.acceptedAt,
            settings: settings)
    }

    var isReading: Bool { if case .read = action { true } else { false } }

    /// How the connection waits after the transcript: "idle" between requests, "reading" in the middle
    /// of one; nothing once it has ended or while an answer is being sent.
    var waiting: [String] {
        guard isReading else { return [] }
        if case .idle = core.phase { return ["idle"] }
        return ["reading"]
    }

    /// The client sent `bytes`, read through as many `readSpace()` calls as they fill, the way the
    /// reactor reads until the socket would block. Bytes that come after the core stopped reading
    /// are dropped, as the serving modes drop them while lingering.
    mutating func receive(_ bytes: some Collection<UInt8>) {
        var rest = bytes[...]
        while !rest.isEmpty, isReading {
            let space = core.readSpace()
            let count = min(space.count, rest.count)
            #expect(count > 0, "the core asked to read into no space")
            guard count > 0 else { return }
            space.copyBytes(from: rest.prefix(count))
            rest = rest.dropFirst(count)
            perform(core.received(count, context, into: &out))
        }
        if isReading { core.wouldBlock() }
    }

    mutating func receive(_ text: String) { receive(Array(text.utf8)) }

    /// The client shut down its sending side.
    mutating func inputEnded() { perform(core.inputEnded(context, into: &out)) }

    /// The core's deadline passed.
    mutating func timedOut() { perform(core.timedOut(context, into: &out)) }

    /// The answer has gone (when `sendsAtOnce` is false).
    mutating func sent() { perform(core.sent(context, into: &out)) }

    mutating func sendBlocked() { core.sendBlocked(context) }

    private mutating func perform(_ first: ConnectionAction) {
        action = first
        while true {
            switch action {
            case .read:
                return
            case .send(let response):
                let answer = Answer(response: response, out: out)
                let code = answer.statusLine.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
                transcript.append(response.keepAlive ? code : code + " close")
                answers.append(answer)
                guard sendsAtOnce else { return }
                action = core.sent(context, into: &out)
            case .linger:
                transcript.append("linger")
                return
            case .close:
                transcript.append("close")
                return
            }
        }
    }
}

@Suite struct ConnectionCoreTests {
    let site: TemporarySite
    let responder: Responder
    static let second = ServerSettings.second
    static let defaults = ServerSettings()

    init() throws {
        site = try TemporarySite()
        try site.write("a.txt", "alpha")
        try site.write("b.txt", "bravo")
        let clock = ManualClock()
        responder = try Responder(site: Site(root: site.root.path), clock: { clock.nanoseconds })
    }

    func driver(_ settings: ServerSettings = defaults, pool: BufferPool? = nil) -> CoreDriver {
        CoreDriver(responder, settings: settings, pool: pool)
    }

    static func get(_ path: String, _ headers: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: x\r\n\(headers)\r\n"
    }

    static func chunked(_ path: String, _ body: String) -> String {
        get(path, "Transfer-Encoding: chunked\r\n") + body
    }

    /// Feeds `stream` whole, in two pieces split at every `stride`-th point, and one byte at a time:
    /// the connection must do the same every time. Returns the transcripts that differ, by split.
    func splits(
        of stream: [UInt8], _ settings: ServerSettings = defaults, stride step: Int = 1
    ) -> (expected: [String], differing: [String]) {
        var whole = driver(settings)
        whole.receive(stream)
        let expected = whole.transcript + whole.waiting
        var differing: [String] = []
        for split in Swift.stride(from: 1, to: stream.count, by: step) {
            var d = driver(settings)
            d.receive(stream[..<split])
            d.receive(stream[split...])
            let transcript = d.transcript + d.waiting
            if transcript != expected { differing.append("split at \(split): \(transcript)") }
        }
        var bytewise = driver(settings)
        for byte in stream { bytewise.receive(CollectionOfOne(byte)) }
        let transcript = bytewise.transcript + bytewise.waiting
        if transcript != expected { differing.append("one byte at a time: \(transcript)") }
        return (expected, differing)
    }

    /// `stream` gets `expected` however it is split.
    func expectAtEverySplit(
        _ stream: String, _ expected: [String], _ settings: ServerSettings = defaults, stride: Int = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (whole, differing) = splits(of: Array(stream.utf8), settings, stride: stride)
        #expect(whole == expected, "fed whole", sourceLocation: sourceLocation)
        #expect(differing.isEmpty, "\(differing.prefix(5))", sourceLocation: sourceLocation)
    }

    // MARK: Pipelining

    @Test func pipelinedRequestsWithBodiesAreAnsweredInOrderAtEverySplit() {
        // A Content-Length body that looks like a request: read as one, it would add a 404.
        let smuggled = "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
        let stream =
            Self.get("/a.txt", "Content-Length: \(smuggled.utf8.count)\r\n") + smuggled
            + Self.chunked(
                "/missing",
                "5;name=\"quoted \\\" value\";flag\r\nhello\r\n1A ; x = y\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                    + "0\r\nX-Trailer: yes\r\nX-Other:  two words \r\n\r\n")
            + Self.get("/b.txt")
        expectAtEverySplit(stream, ["200", "404", "200", "idle"])
    }

    @Test func bodiesLargerThanTheReadBufferStreamThroughAtEverySplit() {
        let data = String(repeating: "0123456789", count: 900)
        let stream =
            Self.get("/a.txt", "Content-Length: 20000\r\n") + String(repeating: "x", count: 20_000)
            + Self.chunked("/b.txt", "2328\r\n\(data)\r\n2328;big\r\n\(data)\r\n0\r\n\r\n")
            + Self.get("/missing")
        expectAtEverySplit(stream, ["200", "200", "404", "idle"], stride: 97)
    }

    @Test func aChunkedGetThenAPlainGetKeepTheConnection() {
        var d = driver()
        d.receive(Self.chunked("/a.txt", "3\r\nabc\r\n0\r\n\r\n") + Self.get("/b.txt"))
        #expect(d.transcript == ["200", "200"])
        #expect(d.answers.allSatisfy { $0["Connection"] == nil })
        #expect(d.core.isIdle)
        #expect(d.answers.map(\.text) == ["alpha", "bravo"])
    }

    @Test func anAnswerThatClosesLingersWhenARequestIsPipelinedBehind() {
        // Only bytes already received count: a request that arrives after the answer has gone meets a closed socket.
        var d = driver()
        d.receive(Self.get("/a.txt", "Connection: close\r\n") + Self.get("/b.txt"))
        #expect(d.transcript == ["200 close", "linger"])
        expectAtEverySplit(Self.get("/a.txt", "Connection: close\r\n"), ["200 close", "close"])
        expectAtEverySplit("GET /a.txt HTTP/1.0\r\n\r\n", ["200 close", "close"])
    }

    @Test func everyAnswerIsLoggedOnceWithTheRequestItAnswers() {
        final class Lines: Sendable { let lines = Mutex<[String]>([]) }
        let log = Lines()
        var settings = ServerSettings()
        settings.maxDiscardedBody = 10
        var d = driver(settings)
        d.context.hooks.logRequest = { _, head, request, response, _ in
            let line = request.prefix { $0 != UInt8(ascii: "\r") }
            let parsed = head == nil ? "unparsed" : "parsed"
            log.lines.withLock {
                $0.append("\(response.status.code) \(parsed) \(String(decoding: line, as: UTF8.self))")
            }
        }
        d.receive(
            Self.get("/a.txt", "Content-Length: 3\r\n") + "abc" + Self.get("/missing") + "GET /b.txt HTTP/1.1\r\n")
        d.context.now += Self.defaults.headTimeout
        d.timedOut()
        var rejected = driver(settings)
        rejected.context.hooks = d.context.hooks
        rejected.receive(Self.get("/b.txt", "Content-Length: 11\r\n"))
        #expect(d.transcript + rejected.transcript == ["200", "404", "408 close", "close", "413 close", "linger"])
        #expect(
            log.lines.withLock { $0 } == [
                "200 parsed GET /a.txt HTTP/1.1", "404 parsed GET /missing HTTP/1.1",
                "408 unparsed GET /b.txt HTTP/1.1", "413 unparsed GET /b.txt HTTP/1.1",
            ])
    }

    // MARK: Chunked framing

    @Test(arguments: [
        "0\r\n\r\n",
        "5\r\nhello\r\n0\r\n\r\n",
        "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n",
        "0005\r\nhello\r\n000\r\n\r\n",
        "5;a\r\nhello\r\n0;b=c\r\n\r\n",
        "5 ; a = b ;c=\"q \\\"x\\\" ;\"\r\nhello\r\n0\r\n\r\n",
        "5\t;\ta\r\nhello\r\n0\r\n\r\n",
        "0\r\nX-Trailer: one\r\nY:\r\nZ: a \"b\" c\r\n\r\n",
        "5\r\n\r\n\r\n\r\r\n0\r\n\r\n",  // data may be any bytes, CRLFs too
    ])
    func validChunkedBodiesAreDiscardedAndTheNextRequestAnswered(body: String) {
        expectAtEverySplit(Self.chunked("/a.txt", body) + Self.get("/b.txt"), ["200", "200", "idle"])
    }

    @Test(arguments: [
        "zz\r\n",  // not hex
        "-5\r\nhello\r\n0\r\n\r\n",  // a sign
        "+5\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",  // a prefix
        " 5\r\nhello\r\n0\r\n\r\n",  // whitespace before the size
        "5 \r\nhello\r\n0\r\n\r\n",  // whitespace before the CRLF
        "\r\n",  // no size
        "5\nhello\r\n0\r\n\r\n",  // bare LF after the size
        "5\rhello\r\n0\r\n\r\n",  // bare CR after the size
        "5\r\nhello\n0\r\n\r\n",  // bare LF after the data
        "5\r\nhelloX\r\n0\r\n\r\n",  // data longer than its size
        "5\r\nhell\r\n0\r\n\r\n",  // shorter
        "0\r\n\n",  // bare LF ending the body
        "0\r\nX: y\n\r\n",  // bare LF after a trailer
        "0\r\nbad name: y\r\n\r\n",  // a trailer name with a space
        "0\r\n: y\r\n\r\n",  // an empty trailer name
        "0\r\nX: a\u{1}b\r\n\r\n",  // a control character in a trailer
        "5;\r\nhello\r\n0\r\n\r\n",  // an extension without a name
        "5;a=\r\nhello\r\n0\r\n\r\n",  // without a value after =
        "5;a=\"open\r\nhello\r\n0\r\n\r\n",  // an unterminated quoted string
        "5;a b\r\nhello\r\n0\r\n\r\n",  // two names
        "10000000000000000\r\n",  // overflows 64 bits
        "8000000000000000\r\n",  // overflows a signed 64-bit size
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\r\n",
    ])
    func malformedChunkedBodiesGet400AndLinger(body: String) {
        // The request behind the broken body is never answered: its framing cannot be trusted.
        let stream = Self.chunked("/a.txt", body) + Self.get("/b.txt")
        expectAtEverySplit(stream, ["400 close", "linger"])
        var d = driver()
        d.sendsAtOnce = false
        d.receive(stream)
        #expect(d.transcript == ["400 close"])
        #expect(d.answers.first?["Connection"] == "close")
        d.sent()
        #expect(d.transcript == ["400 close", "linger"])
        #expect(d.core.deadline?.kind == .linger)
    }

    @Test func chunkMetadataIsBoundedByTheHeadLimits() {
        var settings = ServerSettings()
        settings.parserLimits = ParserLimits(maxRequestLine: 256, maxHead: 1024, maxHeaderCount: 3)
        let longExtension = "1;" + String(repeating: "e", count: 1100) + "\r\nx\r\n0\r\n\r\n"
        expectAtEverySplit(Self.chunked("/a.txt", longExtension), ["400 close", "linger"], settings, stride: 7)
        let manyTrailers = "0\r\n" + String(repeating: "T: v\r\n", count: 4) + "\r\n"
        expectAtEverySplit(Self.chunked("/a.txt", manyTrailers), ["400 close", "linger"], settings)
        let threeTrailers = "0\r\n" + String(repeating: "T: v\r\n", count: 3) + "\r\n"
        expectAtEverySplit(
            Self.chunked("/a.txt", threeTrailers) + Self.get("/b.txt"), ["200", "200", "idle"], settings)
    }

    // MARK: The discard limit

    static let smallLimit: ServerSettings = {
        var settings = ServerSettings()
        settings.maxDiscardedBody = 1000
        return settings
    }()

    @Test func aContentLengthOverTheLimitGets413AtOnceAndLingers() {
        var d = driver(Self.smallLimit)
        d.receive(Self.get("/a.txt", "Content-Length: 1001\r\n"))
        #expect(d.transcript == ["413 close", "linger"])
        #expect(d.answers.first?["Connection"] == "close")
        expectAtEverySplit(
            Self.get("/a.txt", "Content-Length: 1001\r\n") + String(repeating: "x", count: 1001) + Self.get("/b.txt"),
            ["413 close", "linger"], Self.smallLimit, stride: 13)
    }

    @Test func aBodyExactlyAtTheLimitIsDiscardedAndTheConnectionKept() {
        let length = Self.get("/a.txt", "Content-Length: 1000\r\n") + String(repeating: "x", count: 1000)
        expectAtEverySplit(length + Self.get("/b.txt"), ["200", "200", "idle"], Self.smallLimit, stride: 13)
        let data = String(repeating: "y", count: 500)
        let chunked = Self.chunked("/a.txt", "1f4\r\n\(data)\r\n1F4\r\n\(data)\r\n0\r\n\r\n")
        expectAtEverySplit(chunked + Self.get("/b.txt"), ["200", "200", "idle"], Self.smallLimit, stride: 13)
    }

    @Test func chunkedDataPassingTheLimitGets413() {
        let data = String(repeating: "y", count: 500)
        // The second size line already passes the limit: the answer does not wait for its data.
        let stream = Self.chunked("/a.txt", "1f4\r\n\(data)\r\n1f5\r\n")
        expectAtEverySplit(stream, ["413 close", "linger"], Self.smallLimit, stride: 13)
        expectAtEverySplit(Self.chunked("/a.txt", "3e9\r\n"), ["413 close", "linger"], Self.smallLimit)
        // A size that fits in 64 bits but not under the limit.
        expectAtEverySplit(Self.chunked("/a.txt", "FFFFFFFFFFFFFFF\r\n"), ["413 close", "linger"], Self.smallLimit)
    }

    // MARK: Expect: 100-continue

    @Test func expectContinueWithABodyIsAnsweredAtOnceAndCloses() {
        var d = driver()
        d.sendsAtOnce = false
        d.receive(Self.get("/a.txt", "Expect: 100-continue\r\nContent-Length: 5\r\n"))
        #expect(d.transcript == ["200 close"])
        #expect(d.answers.first?["Connection"] == "close")
        #expect(d.answers.first?.text == "alpha")
        d.sent()
        #expect(d.transcript == ["200 close", "linger"])
        // Chunked, too; the body is never counted, so it cannot be taken for a request.
        let chunked = Self.get("/a.txt", "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n")
        expectAtEverySplit(chunked + "5\r\nhello\r\n0\r\n\r\n" + Self.get("/b.txt"), ["200 close", "linger"])
    }

    @Test func expectContinueWithoutABodyIsAnOrdinaryRequest() {
        expectAtEverySplit(
            Self.get("/a.txt", "Expect: 100-continue\r\n") + Self.get("/b.txt"), ["200", "200", "idle"])
    }

    // MARK: Deadlines

    @Test func anAcceptedConnectionWaitsForItsHeadFromTheAccept() {
        var d = driver()
        #expect(d.core.deadline == Deadline(kind: .head, time: CoreDriver.acceptedAt + Self.defaults.headTimeout))
        #expect(d.core.isIdle)
        d.context.now += Self.defaults.headTimeout
        d.timedOut()
        // Nothing was received: no 408, just the close.
        #expect(d.transcript == ["close"])
        #expect(d.core.deadline == nil)
    }

    @Test func anAnswerWaitsUnderTheSendDeadlineMovedWhenTheSenderWaits() {
        var d = driver()
        d.sendsAtOnce = false
        d.context.now += Self.second
        d.receive(Self.get("/a.txt"))
        #expect(d.transcript == ["200"])
        let answeredAt = d.context.now
        #expect(d.core.deadline == Deadline(kind: .send, time: answeredAt + Self.defaults.sendTimeout))
        #expect(!d.core.isIdle)
        d.context.now += 7 * Self.second
        d.sendBlocked()
        #expect(d.core.deadline == Deadline(kind: .send, time: d.context.now + Self.defaults.sendTimeout))
        d.context.now += Self.defaults.sendTimeout
        d.timedOut()
        #expect(d.transcript == ["200", "close"])
        #expect(d.core.deadline == nil)
    }

    @Test func aKeptConnectionWaitsIdleThenForItsNextHeadFromItsFirstByte() {
        var d = driver()
        d.receive(Self.get("/a.txt"))
        #expect(d.transcript == ["200"])
        let sentAt = d.context.now
        #expect(d.core.deadline == Deadline(kind: .idle, time: sentAt + Self.defaults.keepAliveTimeout))
        #expect(d.core.isIdle)
        // The first byte starts the head deadline; later bytes do not move it (slowloris).
        d.context.now += 30 * Self.second
        let firstByte = d.context.now
        d.receive("GET /b.txt HTTP/1.1\r\n")
        #expect(d.core.deadline == Deadline(kind: .head, time: firstByte + Self.defaults.headTimeout))
        #expect(!d.core.isIdle)
        d.context.now += 3 * Self.second
        d.receive("Host: x\r\n")
        #expect(d.core.deadline == Deadline(kind: .head, time: firstByte + Self.defaults.headTimeout))
        d.context.now = firstByte + Self.defaults.headTimeout
        d.timedOut()
        #expect(d.transcript == ["200", "408 close", "close"])
        #expect(d.answers.last?["Connection"] == "close")
    }

    @Test func anEmptyLineAfterARequestLeavesTheConnectionIdle() {
        // RFC 9112 §2.2: a server SHOULD ignore an empty line before a request line (some clients
        // send a CRLF after a body). It must not count as the start of a request: no head deadline,
        // still idle for a drain, and no 408 nobody asked for.
        var d = driver()
        d.receive(Self.get("/a.txt") + "\r\n")
        #expect(d.transcript == ["200"])
        #expect(d.core.isIdle)
        #expect(d.core.deadline == Deadline(kind: .idle, time: d.context.now + Self.defaults.keepAliveTimeout))
        // And an empty line arriving while idle leaves it idle.
        d.receive("\r\n")
        #expect(d.core.isIdle)
        d.context.now += Self.defaults.keepAliveTimeout
        d.timedOut()
        #expect(d.transcript == ["200", "close"])
    }

    @Test func aPartialHeadTimesOutWith408ThenCloses() {
        var d = driver()
        d.sendsAtOnce = false
        d.receive("GET /a.txt HTTP/1.1\r\nHo")
        d.context.now += Self.defaults.headTimeout
        d.timedOut()
        #expect(d.transcript == ["408 close"])
        #expect(d.core.deadline == Deadline(kind: .send, time: d.context.now + Self.defaults.sendTimeout))
        d.sent()
        #expect(d.transcript == ["408 close", "close"])
        #expect(d.core.deadline == nil)
    }

    @Test func anIdleConnectionTimesOutWithoutAnAnswer() {
        var d = driver()
        d.receive(Self.get("/a.txt"))
        d.context.now += Self.defaults.keepAliveTimeout
        d.timedOut()
        #expect(d.transcript == ["200", "close"])
    }

    @Test(arguments: [
        ConnectionCoreTests.get("/a.txt", "Content-Length: 10\r\n") + "abc",
        ConnectionCoreTests.chunked("/a.txt", "a\r\nabc"),
        ConnectionCoreTests.chunked("/a.txt", "3\r\nabc\r\n"),
        ConnectionCoreTests.chunked("/a.txt", "0\r\nX-Trailer: y"),
    ])
    func aSlowBodyTimesOutWith408(stream: String) {
        var d = driver()
        d.receive(stream)
        #expect(d.transcript.isEmpty)
        // The body is under the head's deadline, which runs from the accept.
        #expect(d.core.deadline == Deadline(kind: .head, time: CoreDriver.acceptedAt + Self.defaults.headTimeout))
        d.context.now += Self.defaults.headTimeout
        d.timedOut()
        // The client may still be sending its body: linger, so that a reset cannot destroy the 408.
        #expect(d.transcript == ["408 close", "linger"])
    }

    @Test func aPipelinedHeadAlreadyBufferedGetsItsDeadlineFromTheSend() {
        var d = driver()
        d.sendsAtOnce = false
        d.receive(Self.get("/a.txt") + "GET /b.txt HTTP/1.1\r\nHo")
        #expect(d.transcript == ["200"])
        d.context.now += 20 * Self.second
        d.sent()
        #expect(d.isReading)
        #expect(d.core.deadline == Deadline(kind: .head, time: d.context.now + Self.defaults.headTimeout))
        #expect(!d.core.isIdle)
        d.sendsAtOnce = true
        d.receive("st: x\r\n\r\n")
        #expect(d.transcript == ["200", "200"])
    }

    @Test func aLingeringConnectionWaitsUnderTheLingerDeadline() {
        var d = driver()
        d.sendsAtOnce = false
        d.receive(Self.chunked("/a.txt", "zz\r\n"))
        d.context.now += Self.second
        d.sent()
        #expect(d.transcript == ["400 close", "linger"])
        #expect(d.core.deadline == Deadline(kind: .linger, time: d.context.now + ConnectionCore.lingerTimeout))
        d.context.now += ConnectionCore.lingerTimeout
        d.timedOut()
        #expect(d.transcript == ["400 close", "linger", "close"])
        #expect(d.core.deadline == nil)
    }

    // MARK: Half-close

    @Test func completeRequestsBeforeTheEndOfInputAreAnsweredThenTheConnectionCloses() {
        var d = driver()
        d.receive(Self.get("/a.txt", "Content-Length: 3\r\n") + "abc" + Self.get("/missing") + Self.get("/b.txt"))
        d.inputEnded()
        #expect(d.transcript == ["200", "404", "200", "close"])
    }

    @Test(arguments: [
        "", "GET /a.txt HTTP/1.1\r\nHo", ConnectionCoreTests.get("/a.txt", "Content-Length: 3\r\n") + "ab",
    ])
    func theEndOfInputInTheMiddleOfARequestCloses(partial: String) {
        var d = driver()
        d.receive(Self.get("/a.txt") + partial)
        d.inputEnded()
        #expect(d.transcript == ["200", "close"])
        #expect(d.core.deadline == nil)
    }

    @Test func theEndOfInputWhileLingeringCloses() {
        var d = driver()
        d.receive(Self.get("/a.txt", "Content-Length: 100000\r\n"))
        #expect(d.transcript == ["413 close", "linger"])
        d.inputEnded()
        #expect(d.transcript == ["413 close", "linger", "close"])
    }

    // MARK: Draining

    @Test func aDrainingServerAnswersWithCloseThenEndsTheConnection() {
        var d = driver()
        d.context.draining = true
        d.receive(Self.get("/a.txt"))
        #expect(d.transcript == ["200 close", "close"])
        #expect(d.answers.first?["Connection"] == "close")
        #expect(d.answers.first?.text == "alpha")
    }

    @Test func aDrainingServerLingersWhenARequestIsPipelinedBehind() {
        var d = driver()
        d.context.draining = true
        d.receive(Self.get("/a.txt") + Self.get("/b.txt"))
        #expect(d.transcript == ["200 close", "linger"])
    }

    @Test func drainingDuringAKeptAliveAnswerEndsTheConnectionOnceSent() {
        var d = driver()
        d.sendsAtOnce = false
        d.receive(Self.get("/a.txt"))
        #expect(d.transcript == ["200"])
        d.context.draining = true
        d.sent()
        #expect(d.transcript == ["200", "close"])
    }

    // MARK: Head limits

    static let smallHead: ServerSettings = {
        var settings = ServerSettings()
        settings.parserLimits = ParserLimits(maxRequestLine: 64, maxHead: 512, maxHeaderCount: 4)
        return settings
    }()

    @Test func aLongRequestLineGets414() {
        let target = "/" + String(repeating: "a", count: 100)
        expectAtEverySplit(Self.get(target) + Self.get("/a.txt"), ["414 close", "linger"], Self.smallHead)
    }

    @Test func anOversizedHeadGets431() {
        let big = "X-Big: " + String(repeating: "b", count: 600) + "\r\n"
        expectAtEverySplit(Self.get("/a.txt", big) + Self.get("/b.txt"), ["431 close", "linger"], Self.smallHead)
        let many = String(repeating: "X-A: 1\r\n", count: 5)
        expectAtEverySplit(Self.get("/a.txt", many), ["431 close", "linger"], Self.smallHead)
    }

    @Test func aHeadJustUnderTheLimitIsServed() {
        let head = Self.get("/a.txt")
        let filler = "X-Fill: " + String(repeating: "f", count: 512 - head.utf8.count - 10) + "\r\n"
        let stream = Self.get("/a.txt", filler)
        #expect(stream.utf8.count == 512)
        expectAtEverySplit(stream + Self.get("/b.txt"), ["200", "200", "idle"], Self.smallHead)
    }

    @Test func headsGrowTheBufferUpToTheDefaultLimit() {
        let large = "X-Large: " + String(repeating: "l", count: 20_000) + "\r\n"
        expectAtEverySplit(Self.get("/a.txt", large) + Self.get("/b.txt"), ["200", "200", "idle"], stride: 211)
        let tooLarge = "X-Large: " + String(repeating: "l", count: 40_000) + "\r\n"
        expectAtEverySplit(Self.get("/a.txt", tooLarge), ["431 close", "linger"], stride: 401)
    }

    // MARK: The read buffer

    @Test func theReadBufferGoesBackToThePoolBetweenRequests() {
        let pool = BufferPool(limits: Self.defaults.parserLimits)
        let buffer = pool.take()
        pool.give(buffer)
        var d = driver(pool: pool)
        d.receive("GET /a.txt HTTP/1.1\r\nHo")
        // The connection holds the buffer while a head is partial, even when the socket is drained.
        let other = pool.take()
        #expect(other !== buffer)
        d.receive("st: x\r\n\r\n")
        #expect(d.transcript == ["200"])
        #expect(d.core.isIdle)
        #expect(pool.take() === buffer)
        pool.give(buffer)
        pool.give(other)
    }

    @Test func anAcceptedConnectionWithNothingToReadHoldsNoBuffer() {
        let pool = BufferPool(limits: Self.defaults.parserLimits)
        var d = driver(pool: pool)
        let space = d.core.readSpace()
        #expect(space.count == BufferPool.initialSize)
        d.core.wouldBlock()
        let buffer = pool.take()
        #expect(buffer.bytes.baseAddress == space.baseAddress)
    }

    @Test func aRejectedRequestGivesItsBufferBack() {
        let pool = BufferPool(limits: Self.defaults.parserLimits)
        let buffer = pool.take()
        pool.give(buffer)
        var d = driver(pool: pool)
        d.receive(Self.chunked("/a.txt", "zz\r\n"))
        #expect(d.transcript == ["400 close", "linger"])
        #expect(pool.take() === buffer)
    }
}
