/// The outcome of feeding bytes to the parser.
public enum ParseResult: Sendable, Equatable {
    /// The head is not complete yet; call again with the same bytes plus more.
    case needMore
    /// A complete head; `consumed` bytes (through the blank line) belong to it.
    case complete(RequestHead, consumed: Int)
    case invalid(ParseError)
}

/// Incremental HTTP/1.1 request-head parser (RFC 9112), a state machine with nginx-style named phases.
///
/// Each call resumes at the byte where the previous one stopped, so every byte is examined a bounded
/// number of times however the head is split: O(n) overall. Within a phase a tight loop runs over a
/// `ByteSet`; work on a finished element (method, target, version, one field line) happens once, when
/// the byte after it arrives. Nothing is allocated: the head holds offsets into the caller's buffer.
///
/// Errors are reported in byte order, so a prefix of a bad request is either `.needMore` or already
/// the same `.invalid` as the whole request.
///
/// Choices where RFC 9110/9112 leave room (all tested in RequestParserTests):
/// - A bare LF ends a line like CRLF (RFC 9112 §2.2 allows it; nginx does too). A CR not followed by LF
///   is always `.bareCarriageReturn`.
/// - Any number of empty lines before the request line are skipped (§2.2), within `maxHead`.
/// - `maxHead` counts every byte through the final LF, leading empty lines included; `maxRequestLine`
///   counts the request line without its terminator. Both are enforced as soon as enough bytes arrive.
/// - Request-target bytes: see `ByteSet.target`; percent-encoding is left to the path decoder.
///   Asterisk-form only with OPTIONS; authority-form (`host:port`) only with CONNECT, accepted so that
///   the Responder can answer it (405, like any method it does not serve), with an empty `path`. Absolute-form accepts `http` and `https`
///   (case-insensitive); its authority becomes `host`, overriding the Host field (§3.2.2), which an
///   HTTP/1.1 request must still carry.
/// - Host values are limited to `ByteSet.host`. An empty Host is `.emptyHost` on HTTP/1.1 (§3.2 allows
///   either choice: the strict one is ours) and allowed on HTTP/1.0, which needs no Host at all.
/// - Content-Length: digits only; repeated fields with the same value are accepted (RFC 9110 §8.6), a
///   comma list is `.invalidContentLength`.
/// - Transfer-Encoding: the only accepted coding is a single `chunked` (case-insensitive, across lists
///   and repeated fields). A coding we do not implement, including one before `chunked`, is
///   `.unsupportedTransferEncoding`, answered 400 and closed: §6.3 requires 400 when the final coding is
///   not chunked, and §6.1's 501 for an unknown coding is only a SHOULD, so one safe answer covers
///   both; `chunked` twice is `.invalidHeaderValue` (§7.1).
/// - A repeated Range, If-Range, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since,
///   Origin or Access-Control-Request-Method is `.repeatedField` (400): the head keeps one range per
///   field, and combining two list fields would need a copy. A repeated Accept-Encoding, User-Agent,
///   Referer or Access-Control-Request-Headers keeps the first (at worst no compression, a shorter
///   log line or a failed preflight). Connection tokens and Expect accumulate over repeats.
/// - Expect is `expectsContinue` only for exactly `100-continue`; other expectations are ignored.
/// - Control bytes other than CR/LF (and HTAB in field values) are `.controlCharacter` wherever they
///   appear, except as the very first byte (`.notHTTP`).
public struct RequestParser: Sendable {
    public var limits: ParserLimits

    private var phase = Phase.emptyLines
    /// The next byte to examine (or, once complete, the consumed count).
    private var position = 0
    /// Start of the element being scanned: method, target, version or field name.
    private var mark = 0
    /// Colon of the field line being scanned.
    private var colon = 0
    private var requestLineStart = 0
    private var field = KnownField.other
    private var failure = ParseError.notHTTP
    private var hostSeen = false
    private var absoluteForm = false
    private var head = RequestHead()

    private enum Phase: UInt8 {
        case emptyLines, method, target, version, lineStart, fieldName, fieldValue, complete, failed
    }

    public init(limits: ParserLimits = ParserLimits()) { self.limits = limits }

    /// Forgets progress, ready for the next request.
    public mutating func reset() {
        phase = .emptyLines
        position = 0
        mark = 0
        colon = 0
        requestLineStart = 0
        field = .other
        hostSeen = false
        absoluteForm = false
        head = RequestHead()
    }

    /// Parses the head at the start of `bytes`. `bytes` is everything received for this request
    /// so far, from its first byte; call again with more bytes after `.needMore`.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> ParseResult {
        switch phase {
        case .complete: return .complete(head, consumed: position)
        case .failed: return .invalid(failure)
        default: break
        }
        // Bytes past maxHead can never belong to an acceptable head, so they are not looked at:
        // running out of the first maxHead bytes is the 431.
        let n = min(bytes.count, max(limits.maxHead, 0))
        guard n > 0, let base = bytes.baseAddress else { return suspend(at: position, available: n) }
        return run(base.assumingMemoryBound(to: UInt8.self), n)
    }

    // MARK: - The state machine

    private mutating func run(_ p: UnsafePointer<UInt8>, _ n: Int) -> ParseResult {
        let cr = ASCII.cr
        let lf = ASCII.lf
        var i = position
        // Content of the request line must lie below this index; the clamp to n keeps the sum from
        // overflowing without changing the outcome (i < n always).
        var lineLimit = requestLineStart + min(max(limits.maxRequestLine, 0), n)

        while true {
            switch phase {
            case .emptyLines:
                while i < n {
                    let b = p[i]
                    if b == lf {
                        i += 1
                    } else if b == cr {
                        guard i + 1 < n else { return suspend(at: i, available: n) }
                        guard p[i + 1] == lf else { return fail(.bareCarriageReturn) }
                        i += 2
                    } else {
                        break
                    }
                }
                guard i < n else { return suspend(at: i, available: n) }
                // Decided on the first byte: a TLS ClientHello (0x16) or other binary junk is
                // rejected without waiting for a line.
                guard ByteSet.token.contains(p[i]) else { return fail(.notHTTP) }
                requestLineStart = i
                lineLimit = i + min(max(limits.maxRequestLine, 0), n)
                mark = i
                phase = .method

            case .method:
                let end = min(n, lineLimit)
                while i < end && ByteSet.token.contains(p[i]) { i += 1 }
                guard i < n else { return suspend(at: i, available: n) }
                let b = p[i]
                if i >= lineLimit && b != cr && b != lf { return fail(.requestLineTooLong) }
                guard b == ASCII.space else {
                    return fail(ASCII.isControl(b) ? .controlCharacter : .invalidMethod)
                }
                head.methodBytes = mark..<i
                head.method = Self.method(p + mark, i - mark)
                i += 1
                mark = i
                phase = .target

            case .target:
                let end = min(n, lineLimit)
                while i < end && ByteSet.target.contains(p[i]) { i += 1 }
                guard i < n else { return suspend(at: i, available: n) }
                let b = p[i]
                if i >= lineLimit && b != cr && b != lf { return fail(.requestLineTooLong) }
                guard b == ASCII.space else {
                    // "GET /\r\n" is an HTTP/0.9 request: no version.
                    if b == cr || b == lf { return fail(.invalidVersion) }
                    return fail(ASCII.isControl(b) ? .controlCharacter : .invalidTarget)
                }
                if let error = classifyTarget(p, mark, i) { return fail(error) }
                i += 1
                mark = i
                phase = .version

            case .version:
                // The version is exactly 8 bytes: a ninth non-terminator byte fails without waiting
                // for the line limit.
                let end = min(n, lineLimit, mark + 8)
                while i < end && p[i] != cr && p[i] != lf { i += 1 }
                guard i < n else { return suspend(at: i, available: n) }
                let b = p[i]
                guard b == cr || b == lf else {
                    return fail(i >= lineLimit ? .requestLineTooLong : .invalidVersion)
                }
                var next = i + 1
                if b == cr {
                    guard next < n else { return suspend(at: i, available: n) }
                    guard p[next] == lf else { return fail(.bareCarriageReturn) }
                    next += 1
                }
                switch Self.version(p + mark, i - mark) {
                case .success(let version): head.version = version
                case .failure(let error): return fail(error)
                }
                i = next
                phase = .lineStart

            case .lineStart:
                guard i < n else { return suspend(at: i, available: n) }
                let b = p[i]
                if b == cr {
                    guard i + 1 < n else { return suspend(at: i, available: n) }
                    guard p[i + 1] == lf else { return fail(.bareCarriageReturn) }
                    return finish(consumed: i + 2)
                }
                if b == lf { return finish(consumed: i + 1) }
                // Also catches whitespace between the request line and the first field, which §2.2
                // says to reject or to consume as part of no field.
                if ASCII.isWhitespace(b) { return fail(.obsoleteLineFolding) }
                head.headerCount += 1
                if head.headerCount > limits.maxHeaderCount { return fail(.tooManyHeaders) }
                mark = i
                phase = .fieldName

            case .fieldName:
                while i < n && ByteSet.token.contains(p[i]) { i += 1 }
                guard i < n else { return suspend(at: i, available: n) }
                let b = p[i]
                guard b == ASCII.colon else {
                    if ASCII.isWhitespace(b) { return fail(.whitespaceBeforeColon) }
                    return fail(ASCII.isControl(b) ? .controlCharacter : .invalidHeaderName)
                }
                guard i > mark else { return fail(.invalidHeaderName) }
                field = KnownField.identify(p + mark, i - mark)
                colon = i
                i += 1
                phase = .fieldValue

            case .fieldValue:
                i = Self.skipFieldValue(p, from: i, to: n)
                guard i < n else { return suspend(at: i, available: n) }
                let b = p[i]
                var next = i + 1
                if b == cr {
                    guard next < n else { return suspend(at: i, available: n) }
                    guard p[next] == lf else { return fail(.bareCarriageReturn) }
                    next += 1
                } else if b != lf {
                    return fail(.controlCharacter)
                }
                if field != .other {
                    var start = colon + 1
                    var end = i
                    while start < end && ASCII.isWhitespace(p[start]) { start += 1 }
                    while end > start && ASCII.isWhitespace(p[end - 1]) { end -= 1 }
                    if let error = apply(p, start, end) { return fail(error) }
                }
                i = next
                phase = .lineStart

            case .complete:
                return .complete(head, consumed: position)
            case .failed:
                return .invalid(failure)
            }
        }
    }

    /// Out of bytes: remember where to resume. Needing a byte beyond maxHead is the 431.
    private mutating func suspend(at index: Int, available n: Int) -> ParseResult {
        position = index
        return n >= limits.maxHead ? fail(.headTooLarge) : .needMore
    }

    private mutating func fail(_ error: ParseError) -> ParseResult {
        phase = .failed
        failure = error
        return .invalid(error)
    }

    /// The blank line has arrived: checks that need the whole head.
    private mutating func finish(consumed: Int) -> ParseResult {
        if head.version == .http11 && !hostSeen { return fail(.missingHost) }
        phase = .complete
        position = consumed
        return .complete(head, consumed: consumed)
    }

    /// Skips field-value bytes, eight at a time while none is a control or DEL (HTAB included: it takes
    /// the byte loop), and returns the index of the first byte that is not part of the value.
    @inline(__always)
    private static func skipFieldValue(_ p: UnsafePointer<UInt8>, from start: Int, to n: Int) -> Int {
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= n {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            // Standard SWAR tests (exact as to whether any byte matches): some byte < 0x20, some
            // byte == 0x7F.
            let below = (word &- ones &* 0x20) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            let isDel = (del &- ones) & ~del & highs
            if below | isDel != 0 { break }
            i += 8
        }
        while i < n && ByteSet.fieldValue.contains(p[i]) { i += 1 }
        return i
    }

    // MARK: - Elements

    private static func method(_ p: UnsafePointer<UInt8>, _ count: Int) -> Method {
        @inline(__always) func eq(_ literal: StaticString) -> Bool { ASCII.equals(p, count, literal, folding: false) }
        switch count {
        case 3: return eq("GET") ? .get : eq("PUT") ? .put : .other
        case 4: return eq("HEAD") ? .head : eq("POST") ? .post : .other
        case 5: return eq("PATCH") ? .patch : eq("TRACE") ? .trace : .other
        case 6: return eq("DELETE") ? .delete : .other
        case 7: return eq("OPTIONS") ? .options : eq("CONNECT") ? .connect : .other
        default: return .other
        }
    }

    /// `HTTP/1.1` or `HTTP/1.0`; any other `HTTP/d.d` is well formed but unsupported (505).
    private static func version(_ p: UnsafePointer<UInt8>, _ count: Int) -> Result<Version, ParseError> {
        if ASCII.equals(p, count, "HTTP/1.1", folding: false) { return .success(.http11) }
        if ASCII.equals(p, count, "HTTP/1.0", folding: false) { return .success(.http10) }
        func isDigit(_ b: UInt8) -> Bool { b &- ASCII.zero < 10 }
        if count == 8 && ASCII.equals(p, 5, "HTTP/", folding: false) && isDigit(p[5]) && p[6] == 0x2E
            && isDigit(p[7])
        {
            return .failure(.unsupportedVersion)
        }
        return .failure(.invalidVersion)
    }

    /// Fills target, path, query (and host for absolute-form) from the target at `start..<end`.
    private mutating func classifyTarget(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> ParseError? {
        guard start < end else { return .invalidTarget }  // two spaces
        head.target = start..<end
        let first = p[start]
        if first == ASCII.slash {
            splitPathAndQuery(p, start, end)
            return nil
        }
        if first == ASCII.star {
            guard end - start == 1 && head.method == .options else { return .invalidTarget }
            head.path = start..<end
            return nil
        }
        if let authority = Self.afterHTTPScheme(p, start, end) {
            var k = authority
            while k < end && p[k] != ASCII.slash && p[k] != ASCII.question {
                guard ByteSet.host.contains(p[k]) else { return .invalidTarget }
                k += 1
            }
            guard k > authority, Self.isAuthority(p, authority, k) else { return .invalidTarget }
            head.host = authority..<k
            absoluteForm = true
            splitPathAndQuery(p, k, end)
            return nil
        }
        if head.method == .connect {
            // host ":" port, with a non-empty host and a port of digits.
            var lastColon = -1
            for k in start..<end {
                guard ByteSet.host.contains(p[k]) else { return .invalidTarget }
                if p[k] == ASCII.colon { lastColon = k }
            }
            guard lastColon > start && lastColon + 1 < end else { return .invalidTarget }
            for k in (lastColon + 1)..<end where p[k] &- ASCII.zero >= 10 { return .invalidTarget }
            head.path = end..<end
            return nil
        }
        return .invalidTarget
    }

    private mutating func splitPathAndQuery(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        var q = start
        while q < end && p[q] != ASCII.question { q += 1 }
        head.path = start..<q
        head.query = q < end ? (q + 1)..<end : nil
    }

    /// The index after `http://` or `https://` (scheme case-insensitive), or nil.
    /// `uri-host [ ":" port ]` (RFC 3986 §3.2.2-3) over bytes already limited to `ByteSet.host`: an
    /// IP-literal in brackets, or a name or IPv4 address without brackets or colons, then optionally a
    /// colon and digits. Empty passes: whether an empty Host may stand is the version's business.
    static func isAuthority(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var k = start
        if k < end && p[k] == UInt8(ascii: "[") {
            while k < end && p[k] != UInt8(ascii: "]") { k += 1 }
            guard k < end, k > start + 1 else { return false }
            k += 1
        } else {
            while k < end && p[k] != ASCII.colon {
                if p[k] == UInt8(ascii: "[") || p[k] == UInt8(ascii: "]") { return false }
                k += 1
            }
        }
        guard k < end else { return true }
        guard p[k] == ASCII.colon else { return false }
        k += 1
        while k < end {
            guard p[k] &- ASCII.zero < 10 else { return false }
            k += 1
        }
        return true
    }

    private static func afterHTTPScheme(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        let count = end - start
        if count > 7 && ASCII.equals(p + start, 4, "http", folding: true) {
            if ASCII.equals(p + start + 4, 3, "://", folding: false) { return start + 7 }
            if count > 8 && (p[start + 4] | 0x20) == UInt8(ascii: "s")
                && ASCII.equals(p + start + 5, 3, "://", folding: false)
            {
                return start + 8
            }
        }
        return nil
    }

    // MARK: - Known fields

    /// Records the known field `field` whose trimmed value is `start..<end`.
    private mutating func apply(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> ParseError? {
        let value = start..<end
        switch field {
        case .other:
            return nil
        case .host:
            if hostSeen { return .repeatedHost }
            hostSeen = true
            for k in value where !ByteSet.host.contains(p[k]) { return .invalidHeaderValue }
            // RFC 9112 §3.2: an invalid Host (`[::1`, `::1`, `x:abc`) is a 400, like a missing one.
            guard Self.isAuthority(p, start, end) else { return .invalidHeaderValue }
            if start == end && head.version == .http11 { return .emptyHost }
            if !absoluteForm { head.host = value }
        case .contentLength:
            guard start < end else { return .invalidContentLength }
            var length: Int64 = 0
            for k in value {
                let digit = p[k] &- ASCII.zero
                guard digit < 10 else { return .invalidContentLength }
                let (times10, o1) = length.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
                if o1 || o2 { return .invalidContentLength }
                length = sum
            }
            if let previous = head.contentLength, previous != length { return .conflictingContentLength }
            if head.isChunked { return .contentLengthWithTransferEncoding }
            head.contentLength = length
        case .transferEncoding:
            if head.contentLength != nil { return .contentLengthWithTransferEncoding }
            var k = start
            while let element = Self.nextListElement(p, &k, end) {
                guard ASCII.equals(p + element.lowerBound, element.count, "chunked", folding: true) else {
                    return .unsupportedTransferEncoding
                }
                if head.isChunked { return .invalidHeaderValue }
                head.isChunked = true
            }
            // An empty list names no coding at all.
            if !head.isChunked { return .unsupportedTransferEncoding }
        case .connection:
            var k = start
            while let element = Self.nextListElement(p, &k, end) {
                let q = p + element.lowerBound
                if ASCII.equals(q, element.count, "close", folding: true) {
                    head.connectionClose = true
                } else if ASCII.equals(q, element.count, "keep-alive", folding: true) {
                    head.connectionKeepAlive = true
                }
            }
        case .expect:
            if ASCII.equals(p + start, end - start, "100-continue", folding: true) { head.expectsContinue = true }
        case .range: return Self.setOnce(&head.range, value)
        case .ifMatch: return Self.setOnce(&head.ifMatch, value)
        case .ifNoneMatch: return Self.setOnce(&head.ifNoneMatch, value)
        case .ifModifiedSince: return Self.setOnce(&head.ifModifiedSince, value)
        case .ifUnmodifiedSince: return Self.setOnce(&head.ifUnmodifiedSince, value)
        case .ifRange: return Self.setOnce(&head.ifRange, value)
        case .accept: if head.accept == nil { head.accept = value }
        case .acceptEncoding: if head.acceptEncoding == nil { head.acceptEncoding = value }
        case .userAgent: if head.userAgent == nil { head.userAgent = value }
        case .referer: if head.referer == nil { head.referer = value }
        case .origin: return Self.setOnce(&head.origin, value)
        case .accessControlRequestMethod: return Self.setOnce(&head.accessControlRequestMethod, value)
        case .accessControlRequestHeaders:
            if head.accessControlRequestHeaders == nil { head.accessControlRequestHeaders = value }
        }
        return nil
    }

    @inline(__always)
    private static func setOnce(_ slot: inout Range<Int>?, _ value: Range<Int>) -> ParseError? {
        if slot != nil { return .repeatedField }
        slot = value
        return nil
    }

    /// The next non-empty element of a comma-separated list in `index..<end`, trimmed of OWS
    /// (RFC 9110 §5.6.1: empty elements are ignored); advances `index` past it.
    private static func nextListElement(_ p: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Range<Int>? {
        var k = index
        while k < end && (p[k] == ASCII.comma || ASCII.isWhitespace(p[k])) { k += 1 }
        guard k < end else {
            index = end
            return nil
        }
        let start = k
        while k < end && p[k] != ASCII.comma { k += 1 }
        index = k
        var stop = k
        while stop > start && ASCII.isWhitespace(p[stop - 1]) { stop -= 1 }
        return start..<stop
    }
}
