import Testing

@testable import HTTP1

// MARK: - Helpers

/// The bytes of `text`, one byte per Unicode scalar (Latin-1), so tests can write obs-text and
/// control bytes as `\u{E9}` or `\u{01}`.
func latin1(_ text: String) -> [UInt8] {
    text.unicodeScalars.map { scalar in
        precondition(scalar.value <= 0xFF, "not a byte: \(scalar)")
        return UInt8(scalar.value)
    }
}

/// Feeds `bytes` to `parser` as one buffer holding exactly those bytes, the way the server does after
/// every read (the whole request so far, from its first byte).
func feed(_ parser: inout RequestParser, _ bytes: some Collection<UInt8>) -> ParseResult {
    let copy = Array(bytes)
    return copy.withUnsafeBytes { parser.parse($0) }
}

/// Parses `bytes` in one call with a fresh parser.
func parseWhole(_ bytes: [UInt8], limits: ParserLimits = ParserLimits()) -> ParseResult {
    var parser = RequestParser(limits: limits)
    return feed(&parser, bytes)
}

/// The head's fields as text: only fields that differ from their defaults, so an expectation lists
/// every field that must be set and nothing else.
func render(_ head: RequestHead, _ bytes: [UInt8]) -> [String: String] {
    func text(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(bytes[range].map { Unicode.Scalar($0) }))
    }
    var fields: [String: String] = [
        "method": "\(head.method)", "methodBytes": text(head.methodBytes), "target": text(head.target),
        "path": text(head.path), "version": "\(head.version)", "headerCount": "\(head.headerCount)",
    ]
    fields["query"] = head.query.map(text)
    fields["host"] = head.host.map(text)
    fields["close"] = head.connectionClose ? "true" : nil
    fields["keepAlive"] = head.connectionKeepAlive ? "true" : nil
    fields["contentLength"] = head.contentLength.map { "\($0)" }
    fields["chunked"] = head.isChunked ? "true" : nil
    fields["expect"] = head.expectsContinue ? "true" : nil
    fields["range"] = head.range.map(text)
    fields["ifNoneMatch"] = head.ifNoneMatch.map(text)
    fields["ifMatch"] = head.ifMatch.map(text)
    fields["ifModifiedSince"] = head.ifModifiedSince.map(text)
    fields["ifUnmodifiedSince"] = head.ifUnmodifiedSince.map(text)
    fields["ifRange"] = head.ifRange.map(text)
    fields["acceptEncoding"] = head.acceptEncoding.map(text)
    fields["accept"] = head.accept.map(text)
    fields["userAgent"] = head.userAgent.map(text)
    fields["referer"] = head.referer.map(text)
    return fields
}

/// The head of `result`, or nil with a recorded issue.
func completeHead(_ result: ParseResult, count: Int, sourceLocation: SourceLocation = #_sourceLocation) -> RequestHead?
{
    guard case .complete(let head, let consumed) = result else {
        Issue.record("expected a complete head, got \(result)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(consumed == count, sourceLocation: sourceLocation)
    return head
}

// MARK: - Tables

struct Valid: Sendable, CustomTestStringConvertible {
    let raw: String
    /// Differences from `Valid.defaults` (nil removes a default).
    let fields: [String: String?]

    init(_ raw: String, _ fields: [String: String?] = [:]) {
        self.raw = raw
        self.fields = fields
    }

    static let defaults: [String: String] = [
        "method": "get", "methodBytes": "GET", "target": "/", "path": "/", "version": "http11", "host": "h",
        "headerCount": "1",
    ]

    var bytes: [UInt8] { latin1(raw) }
    var expected: [String: String] {
        var result = Valid.defaults
        for (key, value) in fields { result[key] = value }
        return result
    }
    var testDescription: String { String(reflecting: raw) }
}

struct Invalid: Sendable, CustomTestStringConvertible {
    let raw: String
    let error: ParseError

    init(_ raw: String, _ error: ParseError) {
        self.raw = raw
        self.error = error
    }

    var bytes: [UInt8] { latin1(raw) }
    var testDescription: String { "\(error): \(String(reflecting: raw))" }
}

let date = "Sat, 29 Oct 1994 19:43:31 GMT"

let validCases: [Valid] = [
    Valid("GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
    Valid("GET / HTTP/1.1\nHost: h\n\n"),
    Valid("GET / HTTP/1.1\r\nHost: h\n\r\n"),
    Valid("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
    Valid("\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
    Valid("GET / HTTP/1.0\r\n\r\n", ["version": "http10", "host": nil, "headerCount": "0"]),
    Valid("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", ["version": "http10", "host": nil, "keepAlive": "true"]),
    Valid(
        "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\n\r\n", ["target": "/a/b?x=1&y=2", "path": "/a/b", "query": "x=1&y=2"]),
    Valid("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n", ["target": "/a?", "path": "/a", "query": ""]),
    Valid("GET /a?b?c HTTP/1.1\r\nHost: h\r\n\r\n", ["target": "/a?b?c", "path": "/a", "query": "b?c"]),
    Valid("GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n", ["target": "/a%20b", "path": "/a%20b"]),
    Valid(
        "GET /a|b{c}\"d\"^`<>\\[]@:!$&'()*+,;=~_.- HTTP/1.1\r\nHost: h\r\n\r\n",
        ["target": "/a|b{c}\"d\"^`<>\\[]@:!$&'()*+,;=~_.-", "path": "/a|b{c}\"d\"^`<>\\[]@:!$&'()*+,;=~_.-"]),
    Valid(
        "GET http://example.com:8080/p/q?z HTTP/1.1\r\nHost: other\r\n\r\n",
        ["target": "http://example.com:8080/p/q?z", "path": "/p/q", "query": "z", "host": "example.com:8080"]),
    Valid(
        "GET HTTPS://example.com HTTP/1.1\r\nHost: h\r\n\r\n",
        ["target": "HTTPS://example.com", "path": "", "host": "example.com"]),
    Valid(
        "GET http://e?q HTTP/1.1\r\nHost: h\r\n\r\n", ["target": "http://e?q", "path": "", "query": "q", "host": "e"]),
    Valid(
        "GET http://[::1]:80/ HTTP/1.0\r\n\r\n",
        ["target": "http://[::1]:80/", "path": "/", "host": "[::1]:80", "version": "http10", "headerCount": "0"]),
    Valid(
        "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
        ["method": "options", "methodBytes": "OPTIONS", "target": "*", "path": "*"]),
    Valid(
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        [
            "method": "connect", "methodBytes": "CONNECT", "target": "example.com:443", "path": "",
            "host": "example.com:443",
        ]),
    Valid("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "head", "methodBytes": "HEAD"]),
    Valid("POST / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "post", "methodBytes": "POST"]),
    Valid("PUT / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "put", "methodBytes": "PUT"]),
    Valid("DELETE / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "delete", "methodBytes": "DELETE"]),
    Valid("TRACE / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "trace", "methodBytes": "TRACE"]),
    Valid("PATCH / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "patch", "methodBytes": "PATCH"]),
    Valid("PURGE / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "other", "methodBytes": "PURGE"]),
    Valid("get / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "other", "methodBytes": "get"]),
    Valid("GETS / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "other", "methodBytes": "GETS"]),
    Valid("M-SEARCH! / HTTP/1.1\r\nHost: h\r\n\r\n", ["method": "other", "methodBytes": "M-SEARCH!"]),
    Valid(
        """
        GET /f HTTP/1.1\r
        hOsT:   example.org \t\r
        Connection: Keep-Alive, Upgrade\r
        Range: bytes=0-99\r
        If-None-Match: "a", "b"\r
        IF-MATCH: *\r
        If-Modified-Since: \(date)\r
        if-unmodified-since:\(date)\r
        If-Range: "abc"\r
        Accept-Encoding: gzip, br\r
        User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0\r
        Referer: http://x/y\r
        X-Other: whatever\r
        Expect: 100-Continue\r
        \r

        """,
        [
            "target": "/f", "path": "/f", "host": "example.org", "keepAlive": "true", "range": "bytes=0-99",
            "ifNoneMatch": "\"a\", \"b\"", "ifMatch": "*", "ifModifiedSince": date, "ifUnmodifiedSince": date,
            "ifRange": "\"abc\"", "acceptEncoding": "gzip, br",
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0",
            "referer": "http://x/y", "expect": "true", "headerCount": "13",
        ]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", ["close": "true", "headerCount": "2"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nConnection: foo,, CLOSE ,\tkeep-alive\r\n\r\n",
        ["close": "true", "keepAlive": "true", "headerCount": "2"]),
    Valid(
        "GET / HTTP/1.1\r\nConnection: upgrade\r\nHost: h\r\nconnection: close\r\n\r\n",
        ["close": "true", "headerCount": "3"]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed, keep-alives\r\n\r\n", ["headerCount": "2"]),
    Valid(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        ["method": "post", "methodBytes": "POST", "contentLength": "0", "headerCount": "2"]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length:42 \r\n\r\n", ["contentLength": "42", "headerCount": "2"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 005\r\n\r\n",
        ["contentLength": "5", "headerCount": "3"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n",
        ["contentLength": "9223372036854775807", "headerCount": "2"]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", ["chunked": "true", "headerCount": "2"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , CHUNKED ,\r\n\r\n", ["chunked": "true", "headerCount": "2"]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n", ["expect": "true", "headerCount": "2"]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continues\r\n\r\n", ["headerCount": "2"]),
    // HTTP/1.0 does not require Host, so an empty one is as good as none (HTTP/1.1: see emptyHost).
    Valid("GET / HTTP/1.0\r\nHost:\r\n\r\n", ["version": "http10", "host": ""]),
    Valid("GET / HTTP/1.0\r\nHost: \t \r\n\r\n", ["version": "http10", "host": ""]),
    Valid("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", ["host": "[::1]:8080"]),
    Valid("GET / HTTP/1.1\r\nHost: h:\r\n\r\n", ["host": "h:"]),  // port = *DIGIT may be empty
    Valid("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n", ["host": "[::1]"]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX:  \r\n\r\n", ["headerCount": "3"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: caf\u{E9} \u{FF}\u{80}\r\n\r\n",
        ["userAgent": "caf\u{E9} \u{FF}\u{80}", "headerCount": "2"]),
    Valid("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: a\tb\r\n\r\n", ["userAgent": "a\tb", "headerCount": "2"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: first\r\nUser-Agent: second\r\nReferer: r1\r\nReferer: r2\r\n"
            + "Accept-Encoding: gzip\r\nAccept-Encoding: br\r\n\r\n",
        ["userAgent": "first", "referer": "r1", "acceptEncoding": "gzip", "headerCount": "7"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nACCEPT: application/json\r\nAccept: text/html\r\nAccepts: x\r\n\r\n",
        ["accept": "application/json", "headerCount": "4"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\n!#$%&'*+-.^_`|~09azAZ: v\r\nHost-Name: x\r\nRanges: y\r\nIf-Match-X: z\r\n\r\n",
        ["headerCount": "5"]),
    Valid(
        "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + String(repeating: "0123456789abcdef", count: 20) + "\r\n\r\n",
        ["headerCount": "2"]),
]

let invalidCases: [Invalid] = [
    Invalid("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{FC}\u{03}\u{03}", .notHTTP),
    Invalid(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", .notHTTP),
    Invalid("\r\n\u{80}GET / HTTP/1.1\r\n", .notHTTP),
    Invalid("\r\rGET / HTTP/1.1\r\n", .bareCarriageReturn),
    Invalid("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", .controlCharacter),
    Invalid("GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidMethod),
    Invalid("GET\r\n\r\n", .invalidMethod),
    Invalid("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET /caf\u{E9} HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET /\u{01} HTTP/1.1\r\nHost: h\r\n\r\n", .controlCharacter),
    Invalid("GET /\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n", .controlCharacter),
    Invalid("GET a HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET * HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("OPTIONS ** HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET ftp://x/ HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET http:// HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET http:/h/ HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET example.com:443 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("CONNECT example.com HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("CONNECT :443 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("CONNECT h:44x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("CONNECT h: HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET /\r\n\r\n", .invalidVersion),
    Invalid("GET /\n\n", .invalidVersion),
    Invalid("GET / \r\n\r\n", .invalidVersion),
    Invalid("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", .invalidVersion),
    Invalid("GET / http/1.1\r\nHost: h\r\n\r\n", .invalidVersion),
    Invalid("GET / HTTP/1\r\nHost: h\r\n\r\n", .invalidVersion),
    Invalid("GET / HTTP/1.10\r\nHost: h\r\n\r\n", .invalidVersion),
    Invalid("GET / HTTP/1.x\r\nHost: h\r\n\r\n", .invalidVersion),
    Invalid("GET / HTTP/11.1\r\nHost: h\r\n\r\n", .invalidVersion),
    Invalid("GET / HTTP/2.0\r\nHost: h\r\n\r\n", .unsupportedVersion),
    Invalid("GET / HTTP/1.2\r\nHost: h\r\n\r\n", .unsupportedVersion),
    Invalid("GET / HTTP/3.0\r\nHost: h\r\n\r\n", .unsupportedVersion),
    Invalid("GET / HTTP/0.9\r\nHost: h\r\n\r\n", .unsupportedVersion),
    Invalid("GET / HTTP/1.1\rX", .bareCarriageReturn),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\n\rX", .bareCarriageReturn),
    Invalid("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", .bareCarriageReturn),
    Invalid("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", .bareCarriageReturn),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX: y\r\n folded\r\n\r\n", .obsoleteLineFolding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX: y\r\n\tfolded\r\n\r\n", .obsoleteLineFolding),
    Invalid("GET / HTTP/1.1\r\n Host: h\r\n\r\n", .obsoleteLineFolding),
    Invalid("GET / HTTP/1.1\r\nHost : h\r\n\r\n", .whitespaceBeforeColon),
    Invalid("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", .whitespaceBeforeColon),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", .invalidHeaderName),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX(y: v\r\n\r\n", .invalidHeaderName),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", .invalidHeaderName),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX\u{E9}: v\r\n\r\n", .invalidHeaderName),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX\u{01}: v\r\n\r\n", .controlCharacter),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{00}b\r\n\r\n", .controlCharacter),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{7F}\r\n\r\n", .controlCharacter),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nX: 0123456789abcdef\u{1B}\r\n\r\n", .controlCharacter),
    Invalid("GET / HTTP/1.1\r\n\r\n", .missingHost),
    Invalid("GET / HTTP/1.1\r\nX-Host: h\r\n\r\n", .missingHost),
    Invalid("GET http://h/ HTTP/1.1\r\n\r\n", .missingHost),
    // RFC 9112 §3.2 lets a server take an empty Host; ours refuses it on HTTP/1.1, as it does a missing one.
    Invalid("GET / HTTP/1.1\r\nHost:\r\n\r\n", .emptyHost),
    Invalid("GET / HTTP/1.1\r\nHost: \t \r\n\r\n", .emptyHost),
    Invalid("GET / HTTP/1.1\r\nHost:\r\nX: y\r\n\r\n", .emptyHost),
    Invalid("GET http://h/ HTTP/1.1\r\nHost:\r\n\r\n", .emptyHost),
    Invalid("OPTIONS * HTTP/1.1\r\nHost: \r\n\r\n", .emptyHost),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nhost: h\r\n\r\n", .repeatedHost),
    Invalid("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .repeatedHost),
    Invalid("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: h/\r\n\r\n", .invalidHeaderValue),
    // RFC 9112 §3.2: uri-host [":" port], so an unclosed literal, a bare IPv6 or a bad port is invalid.
    Invalid("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: ::1\r\n\r\n", .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: x:abc\r\n\r\n", .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: []\r\n\r\n", .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", .invalidHeaderValue),
    Invalid("GET http://[::1/ HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    Invalid("GET / HTTP/1.1\r\nHost: h\u{E9}\r\n\r\n", .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1a\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775808\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", .invalidContentLength),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .conflictingContentLength),
    Invalid(
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        .contentLengthWithTransferEncoding),
    Invalid(
        "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        .contentLengthWithTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n", .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .unsupportedTransferEncoding),
    Invalid(
        "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
        .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunkedx\r\n\r\n", .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , ,\r\n\r\n", .unsupportedTransferEncoding),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .invalidHeaderValue),
    Invalid(
        "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        .invalidHeaderValue),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n", .repeatedField),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nIf-Range: \"a\"\r\nIf-Range: \"a\"\r\n\r\n", .repeatedField),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nIf-Match: \"a\"\r\nif-match: \"b\"\r\n\r\n", .repeatedField),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n", .repeatedField),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: x\r\nIf-Modified-Since: y\r\n\r\n", .repeatedField),
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nIf-Unmodified-Since: x\r\nIf-Unmodified-Since: y\r\n\r\n", .repeatedField),
    // Errors come in byte order: the first problem wins.
    Invalid("GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\nX : y\r\n\r\n", .repeatedHost),
    Invalid("GET /# HTTP/2.0\r\n\r\n", .invalidTarget),
]

// MARK: - Tests

@Suite struct RequestParserTests {
    @Test(arguments: validCases)
    func validWhole(_ c: Valid) {
        let bytes = c.bytes
        guard let head = completeHead(parseWhole(bytes), count: bytes.count) else { return }
        #expect(render(head, bytes) == c.expected)
    }

    @Test(arguments: validCases)
    func validWithTrailingBytes(_ c: Valid) {
        let bytes = c.bytes
        let more = bytes + latin1("GET /next HTTP/1.1\r\nHost: h\r\n\r\nbody\u{00}\u{FF}")
        guard case .complete(let head, let consumed) = parseWhole(more) else {
            Issue.record("not complete")
            return
        }
        #expect(consumed == bytes.count)
        #expect(render(head, more) == c.expected)
    }

    /// Every strict prefix is `.needMore` for a fresh parser, and a parser that saw any prefix
    /// finishes with the same head as one that saw the whole request at once.
    @Test(arguments: validCases)
    func validAtEverySplitPoint(_ c: Valid) {
        let bytes = c.bytes
        let whole = parseWhole(bytes)
        for split in 0..<bytes.count {
            #expect(parseWhole(Array(bytes[..<split])) == .needMore, "fresh prefix \(split)")
            var parser = RequestParser()
            #expect(feed(&parser, bytes[..<split]) == .needMore, "prefix \(split)")
            #expect(feed(&parser, bytes) == whole, "split at \(split)")
        }
    }

    @Test(arguments: validCases)
    func validOneByteAtATime(_ c: Valid) {
        let bytes = c.bytes
        var parser = RequestParser()
        for count in 1..<bytes.count {
            #expect(feed(&parser, bytes[..<count]) == .needMore, "after \(count) bytes")
        }
        #expect(feed(&parser, bytes) == parseWhole(bytes))
    }

    @Test(arguments: invalidCases)
    func invalidWhole(_ c: Invalid) {
        #expect(parseWhole(c.bytes) == .invalid(c.error))
        #expect(c.error.status.code >= 400)
    }

    /// A prefix is either still `.needMore` or already the same error; either way the whole request then
    /// fails with that error.
    @Test(arguments: invalidCases)
    func invalidAtEverySplitPoint(_ c: Invalid) {
        let bytes = c.bytes
        for split in 0..<bytes.count {
            var parser = RequestParser()
            let prefix = feed(&parser, bytes[..<split])
            #expect(prefix == .needMore || prefix == .invalid(c.error), "prefix \(split): \(prefix)")
            #expect(feed(&parser, bytes) == .invalid(c.error), "split at \(split)")
        }
    }

    @Test(arguments: invalidCases)
    func invalidOneByteAtATime(_ c: Invalid) {
        let bytes = c.bytes
        var parser = RequestParser()
        var failed = false
        for count in 1...bytes.count {
            let result = feed(&parser, bytes[..<count])
            if failed {
                #expect(result == .invalid(c.error), "stays failed after \(count) bytes")
            } else if result != .needMore {
                #expect(result == .invalid(c.error), "after \(count) bytes")
                failed = true
            }
        }
        #expect(failed)
    }

    // MARK: All 256 byte values

    @Test func everyByteAsFirstByte() {
        for byte in UInt8.min...UInt8.max {
            let request = [byte] + latin1("ET / HTTP/1.1\r\nHost: h\r\n\r\n")
            let alone = parseWhole([byte])
            let whole = parseWhole(request)
            if Reference.token.contains(byte) {
                #expect(alone == .needMore, "byte \(byte)")
                #expect(
                    completeHead(whole, count: request.count).map { render($0, request)["methodBytes"] }
                        == "\(Unicode.Scalar(byte))ET")
            } else if byte == ASCII.lf {
                #expect(alone == .needMore)
                #expect(completeHead(whole, count: request.count).map { render($0, request)["methodBytes"] } == "ET")
            } else if byte == ASCII.cr {
                #expect(alone == .needMore)
                #expect(whole == .invalid(.bareCarriageReturn))
            } else {
                #expect(alone == .invalid(.notHTTP), "byte \(byte)")
                #expect(whole == .invalid(.notHTTP), "byte \(byte)")
            }
        }
    }

    @Test func everyByteInMethod() {
        for byte in UInt8.min...UInt8.max {
            let request = latin1("G") + [byte] + latin1("T / HTTP/1.1\r\nHost: h\r\n\r\n")
            let result = parseWhole(request)
            let expected: ParseError? =
                switch byte {
                case _ where Reference.token.contains(byte): nil
                case ASCII.space: .invalidTarget  // method "G", target "T"
                case ASCII.cr, ASCII.lf: .invalidMethod
                case _ where byte < 0x20 || byte == 0x7F: .controlCharacter
                default: .invalidMethod
                }
            if let expected {
                #expect(result == .invalid(expected), "byte \(byte)")
            } else {
                let head = completeHead(result, count: request.count)
                #expect(head.map { render($0, request)["methodBytes"] } == "G\(Unicode.Scalar(byte))T")
                #expect(head?.method == (byte == UInt8(ascii: "E") ? .get : .other))
            }
        }
    }

    @Test func everyByteInTarget() {
        for byte in UInt8.min...UInt8.max {
            let request = latin1("GET /a") + [byte] + latin1("b HTTP/1.1\r\nHost: h\r\n\r\n")
            let result = parseWhole(request)
            let expected: ParseError? =
                switch byte {
                case _ where Reference.target.contains(byte): nil
                case ASCII.space: .invalidVersion  // version "b HTTP/1.1"
                case ASCII.cr, ASCII.lf: .invalidVersion
                case _ where byte < 0x20 || byte == 0x7F: .controlCharacter
                default: .invalidTarget
                }
            if let expected {
                #expect(result == .invalid(expected), "byte \(byte)")
            } else {
                let head = completeHead(result, count: request.count)
                #expect(head.map { render($0, request)["target"] } == "/a\(Unicode.Scalar(byte))b", "byte \(byte)")
            }
        }
    }

    @Test func everyByteInHeaderName() {
        for byte in UInt8.min...UInt8.max {
            let request = latin1("GET / HTTP/1.1\r\nHost: h\r\nX") + [byte] + latin1("Y: v\r\n\r\n")
            let result = parseWhole(request)
            let expected: ParseError? =
                switch byte {
                case _ where Reference.token.contains(byte): nil
                case ASCII.colon: nil  // name "X", value "Y: v"
                case ASCII.space, ASCII.tab: .whitespaceBeforeColon
                case ASCII.cr, ASCII.lf: .invalidHeaderName
                case _ where byte < 0x20 || byte == 0x7F: .controlCharacter
                default: .invalidHeaderName
                }
            if let expected {
                #expect(result == .invalid(expected), "byte \(byte)")
            } else {
                #expect(completeHead(result, count: request.count)?.headerCount == 2, "byte \(byte)")
            }
        }
    }

    @Test func everyByteInHeaderValue() {
        for byte in UInt8.min...UInt8.max {
            let request = latin1("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: a") + [byte] + latin1("b\r\n\r\n")
            let result = parseWhole(request)
            let expected: ParseError? =
                switch byte {
                case _ where Reference.isFieldValue(byte): nil
                case ASCII.cr: .bareCarriageReturn
                case ASCII.lf: .invalidHeaderName  // "b" is a line without a colon
                default: .controlCharacter
                }
            if let expected {
                #expect(result == .invalid(expected), "byte \(byte)")
            } else {
                let head = completeHead(result, count: request.count)
                #expect(head.map { render($0, request)["userAgent"] } == "a\(Unicode.Scalar(byte))b", "byte \(byte)")
            }
        }
    }

    @Test func everyByteInHostValue() {
        for byte in UInt8.min...UInt8.max {
            let request = latin1("GET / HTTP/1.1\r\nHost: a") + [byte] + latin1("b\r\n\r\n")
            let result = parseWhole(request)
            if [UInt8(ascii: "["), UInt8(ascii: "]"), ASCII.colon].contains(byte) {
                // Allowed characters, but "a[b", "a]b" and "a:b" are not uri-host [":" port].
                #expect(result == .invalid(.invalidHeaderValue), "byte \(byte)")
            } else if Reference.host.contains(byte) {
                let head = completeHead(result, count: request.count)
                #expect(head.map { render($0, request)["host"] } == "a\(Unicode.Scalar(byte))b", "byte \(byte)")
            } else if byte == ASCII.cr {
                #expect(result == .invalid(.bareCarriageReturn))
            } else if byte == ASCII.lf {
                #expect(result == .invalid(.invalidHeaderName))
            } else if Reference.isFieldValue(byte) {
                #expect(result == .invalid(.invalidHeaderValue), "byte \(byte)")
            } else {
                #expect(result == .invalid(.controlCharacter), "byte \(byte)")
            }
        }
    }

    // MARK: Not HTTP

    @Test func tlsClientHelloRejectedAtFirstByte() {
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
        #expect(parseWhole(Array(hello.prefix(1))) == .invalid(.notHTTP))
        #expect(parseWhole(hello) == .invalid(.notHTTP))
        #expect(ParseError.notHTTP.status == .badRequest)
        // An SSLv2-style hello starts with a byte >= 0x80.
        #expect(parseWhole([0x80]) == .invalid(.notHTTP))
    }

    // MARK: Pipelining and reuse

    @Test func pipelinedRequestsConsumeExactlyOneHeadEach() {
        let first = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
        let second = "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"
        let body = "abc"
        let third = "\r\nHEAD /3?x HTTP/1.0\n\n"
        let bytes = latin1(first + second + body + third + "GET /4")
        var parser = RequestParser()
        bytes.withUnsafeBytes { buffer in
            guard case .complete(let h1, let c1) = parser.parse(buffer) else {
                Issue.record("first")
                return
            }
            #expect(c1 == first.utf8.count)
            #expect(render(h1, bytes)["target"] == "/1")

            parser.reset()
            let rest = UnsafeRawBufferPointer(rebasing: buffer[c1...])
            guard case .complete(let h2, let c2) = parser.parse(rest) else {
                Issue.record("second")
                return
            }
            #expect(c2 == second.utf8.count)
            #expect(h2.method == .post && h2.contentLength == 3 && h2.target == 5..<7)

            parser.reset()
            let offset = c1 + c2 + body.utf8.count
            let third = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            guard case .complete(let h3, let c3) = parser.parse(third) else {
                Issue.record("third")
                return
            }
            #expect(c3 == "\r\nHEAD /3?x HTTP/1.0\n\n".utf8.count)
            #expect(h3.method == .head && h3.version == .http10 && h3.path == 7..<9 && h3.query == 10..<11)

            parser.reset()
            #expect(parser.parse(UnsafeRawBufferPointer(rebasing: buffer[(offset + c3)...])) == .needMore)
        }
    }

    @Test func finishedParserRepeatsItsResultUntilReset() {
        var parser = RequestParser()
        let request = latin1("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        let result = feed(&parser, request)
        #expect(feed(&parser, request + latin1("GET")) == result)
        parser.reset()
        #expect(feed(&parser, latin1("\u{16}")) == .invalid(.notHTTP))
        #expect(feed(&parser, request) == .invalid(.notHTTP))
        parser.reset()
        #expect(feed(&parser, request) == result)
    }

    @Test func emptyBufferNeedsMore() {
        var parser = RequestParser()
        #expect(parser.parse(UnsafeRawBufferPointer(start: nil, count: 0)) == .needMore)
    }

    // MARK: Limits

    /// A request whose request line (without CRLF) is exactly `length` bytes.
    func requestLine(length: Int) -> String {
        let fixed = "GET / HTTP/1.1".utf8.count
        return "GET /" + String(repeating: "a", count: length - fixed) + " HTTP/1.1"
    }

    @Test func requestLineAtLimitAcceptedOneOverRejected() {
        let limits = ParserLimits(maxRequestLine: 64, maxHead: 1024, maxHeaderCount: 10)
        let atLimit = latin1(requestLine(length: 64) + "\r\nHost: h\r\n\r\n")
        #expect(completeHead(parseWhole(atLimit, limits: limits), count: atLimit.count) != nil)
        let bareLF = latin1(requestLine(length: 64) + "\nHost: h\n\n")
        #expect(completeHead(parseWhole(bareLF, limits: limits), count: bareLF.count) != nil)
        // Leading empty lines are not part of the request line.
        let leading = latin1("\r\n\r\n" + requestLine(length: 64) + "\r\nHost: h\r\n\r\n")
        #expect(completeHead(parseWhole(leading, limits: limits), count: leading.count) != nil)

        let over = latin1(requestLine(length: 65) + "\r\nHost: h\r\n\r\n")
        #expect(parseWhole(over, limits: limits) == .invalid(.requestLineTooLong))
        #expect(ParseError.requestLineTooLong.status == .uriTooLong)
        // Rejected as soon as the 65th byte arrives, without waiting for the line to end.
        #expect(parseWhole(Array(over.prefix(64)), limits: limits) == .needMore)
        #expect(parseWhole(Array(over.prefix(65)), limits: limits) == .invalid(.requestLineTooLong))
    }

    @Test func requestLineLimitAppliesInEveryPart() {
        let limits = ParserLimits(maxRequestLine: 16, maxHead: 1024, maxHeaderCount: 10)
        let longMethod = latin1(String(repeating: "A", count: 17))
        #expect(parseWhole(Array(longMethod.prefix(16)), limits: limits) == .needMore)
        #expect(parseWhole(longMethod, limits: limits) == .invalid(.requestLineTooLong))
        let longTarget = latin1("GET /" + String(repeating: "a", count: 12))
        #expect(parseWhole(Array(longTarget.prefix(16)), limits: limits) == .needMore)
        #expect(parseWhole(longTarget, limits: limits) == .invalid(.requestLineTooLong))
        let longVersion = latin1("GET /aaa HTTP/1.")  // 16 bytes, the version needs two more
        #expect(parseWhole(longVersion, limits: limits) == .needMore)
        #expect(parseWhole(longVersion + [0x31], limits: limits) == .invalid(.requestLineTooLong))
        #expect(parseWhole(longVersion + [0x0D, 0x0A], limits: limits) == .invalid(.invalidVersion))
        // The terminator may sit right at the limit.
        let exact = latin1("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(completeHead(parseWhole(exact, limits: ParserLimits(maxRequestLine: 15)), count: exact.count) != nil)
        #expect(parseWhole(exact, limits: ParserLimits(maxRequestLine: 14)) == .invalid(.requestLineTooLong))
    }

    @Test func headAtLimitAcceptedOneOverRejected() {
        let request = latin1("GET / HTTP/1.1\r\nHost: h\r\nX-Pad: 0123456789\r\n\r\n")
        let exact = ParserLimits(maxRequestLine: 100, maxHead: request.count, maxHeaderCount: 10)
        #expect(completeHead(parseWhole(request, limits: exact), count: request.count) != nil)
        // Bytes after the head (a body, a pipelined request) do not count.
        #expect(
            completeHead(parseWhole(request + latin1("GET / HTTP/1.1"), limits: exact), count: request.count) != nil)

        let tight = ParserLimits(maxRequestLine: 100, maxHead: request.count - 1, maxHeaderCount: 10)
        #expect(parseWhole(request, limits: tight) == .invalid(.headTooLarge))
        #expect(ParseError.headTooLarge.status == .headerFieldsTooLarge)
        // Rejected once maxHead bytes have arrived and the head is still open.
        #expect(parseWhole(Array(request.prefix(request.count - 2)), limits: tight) == .needMore)
        #expect(parseWhole(Array(request.prefix(request.count - 1)), limits: tight) == .invalid(.headTooLarge))
        // Endless empty lines count too.
        let blank = [UInt8](repeating: ASCII.lf, count: 64)
        #expect(parseWhole(blank, limits: ParserLimits(maxHead: 64)) == .invalid(.headTooLarge))
        #expect(parseWhole(blank, limits: ParserLimits(maxHead: 65)) == .needMore)
    }

    @Test func headerCountAtLimitAcceptedOneOverRejected() {
        let limits = ParserLimits(maxRequestLine: 100, maxHead: 4096, maxHeaderCount: 5)
        let fields = (1...5).map { "X-\($0): v\r\n" }.joined()
        let five = latin1("GET / HTTP/1.0\r\n" + fields + "\r\n")
        #expect(completeHead(parseWhole(five, limits: limits), count: five.count)?.headerCount == 5)
        let sixth = latin1("GET / HTTP/1.0\r\n" + fields + "X")
        #expect(parseWhole(sixth, limits: limits) == .invalid(.tooManyHeaders))
        #expect(parseWhole(Array(sixth.dropLast()), limits: limits) == .needMore)
        #expect(ParseError.tooManyHeaders.status == .headerFieldsTooLarge)
    }

    @Test func limitsHoldAtEverySplitPoint() {
        let limits = ParserLimits(maxRequestLine: 20, maxHead: 60, maxHeaderCount: 2)
        let cases: [(String, ParseError)] = [
            ("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n", .requestLineTooLong),
            ("GET / HTTP/1.1\r\nHost: h\r\nX: 012345678901234567890123456789\r\n\r\n", .headTooLarge),
            ("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", .tooManyHeaders),
        ]
        for (raw, error) in cases {
            let bytes = latin1(raw)
            #expect(parseWhole(bytes, limits: limits) == .invalid(error))
            for split in 0..<bytes.count {
                var parser = RequestParser(limits: limits)
                let prefix = feed(&parser, bytes[..<split])
                #expect(prefix == .needMore || prefix == .invalid(error), "\(error) prefix \(split)")
                #expect(feed(&parser, bytes) == .invalid(error), "\(error) split \(split)")
            }
        }
    }

    // MARK: Status mapping

    @Test func statusOfParseErrors() {
        #expect(ParseError.unsupportedVersion.status == .versionNotSupported)
        // RFC 9112 §6.3: a final coding other than chunked MUST be 400.
        #expect(ParseError.unsupportedTransferEncoding.status == .badRequest)
        #expect(ParseError.repeatedField.status == .badRequest)
        #expect(ParseError.bareCarriageReturn.status == .badRequest)
    }
}
