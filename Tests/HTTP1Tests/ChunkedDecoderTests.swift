import Testing

@testable import HTTP1

// MARK: - Helpers

/// What a decoder made of a body: its outcome, with `.done(consumed:)` counted from the first byte of
/// the whole input (not of the last piece), and the data bytes it announced.
struct Decoded: Equatable, CustomStringConvertible {
    let outcome: ChunkedDecoder.Outcome
    let dataBytes: Int64
    var description: String { "\(outcome), \(dataBytes) data bytes" }
}

/// Feeds `bytes` to a fresh decoder in pieces that end at `splits` (then the rest), each piece an
/// exact-size copy holding only its own bytes, the way the server hands over each read. Stops at
/// the first outcome other than `.needMore`: the caller never feeds a decoder that has finished.
func decode(
    _ bytes: [UInt8], splits: [Int] = [], limits: ParserLimits = ParserLimits(), maxData: Int64 = 1 << 20
) -> Decoded {
    var decoder = ChunkedDecoder(limits: limits, maxData: maxData)
    var start = 0
    for end in splits + [bytes.count] {
        let piece = Array(bytes[start..<end])
        let outcome = piece.withUnsafeBytes { decoder.consume($0) }
        switch outcome {
        case .needMore:
            start = end
        case .done(let consumed):
            return Decoded(outcome: .done(consumed: start + consumed), dataBytes: decoder.dataBytes)
        case .invalid:
            return Decoded(outcome: outcome, dataBytes: decoder.dataBytes)
        }
    }
    return Decoded(outcome: .needMore, dataBytes: decoder.dataBytes)
}

/// The same input whole, split at every point, and one byte at a time: each must give `expected`.
func expectEverySplit(
    _ bytes: [UInt8], _ expected: Decoded, limits: ParserLimits, maxData: Int64,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(decode(bytes, limits: limits, maxData: maxData) == expected, "whole", sourceLocation: sourceLocation)
    for split in 0...bytes.count {
        #expect(
            decode(bytes, splits: [split], limits: limits, maxData: maxData) == expected, "split at \(split)",
            sourceLocation: sourceLocation)
    }
    let bytewise = decode(bytes, splits: Array(0...bytes.count), limits: limits, maxData: maxData)
    #expect(bytewise == expected, "one byte at a time", sourceLocation: sourceLocation)
}

// MARK: - Tables

struct ValidBody: Sendable, CustomTestStringConvertible {
    let raw: String
    let dataBytes: Int64
    let limits: ParserLimits
    let maxData: Int64

    init(_ raw: String, data: Int64, limits: ParserLimits = ParserLimits(), maxData: Int64 = 1 << 20) {
        self.raw = raw
        self.dataBytes = data
        self.limits = limits
        self.maxData = maxData
    }

    var bytes: [UInt8] { latin1(raw) }
    var testDescription: String { String(reflecting: raw) }
}

/// Each raw body ends at the byte that breaks it: the decoder must reject it at that byte, not
/// before (all shorter prefixes are `.needMore`) and not later.
struct InvalidBody: Sendable, CustomTestStringConvertible {
    let raw: String
    let error: ParseError
    let limits: ParserLimits
    let maxData: Int64

    init(
        _ raw: String, _ error: ParseError = .invalidChunkedBody, limits: ParserLimits = ParserLimits(),
        maxData: Int64 = 1 << 20
    ) {
        self.raw = raw
        self.error = error
        self.limits = limits
        self.maxData = maxData
    }

    var bytes: [UInt8] { latin1(raw) }
    var testDescription: String { "\(error): \(String(reflecting: raw))" }
}

let sixteen = "0123456789abcdef"
/// Int64.max in hex: the largest size that does not overflow.
let int64Max = "7" + String(repeating: "f", count: 15)

let validBodies: [ValidBody] = [
    ValidBody("0\r\n\r\n", data: 0),
    ValidBody("5\r\nhello\r\n0\r\n\r\n", data: 5),
    ValidBody("3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n", data: 6),
    ValidBody("a\r\n0123456789\r\n0\r\n\r\n", data: 10),
    ValidBody("A\r\n0123456789\r\n0\r\n\r\n", data: 10),
    ValidBody("1f\r\n\(sixteen)012345678901234\r\n1F\r\n\(sixteen)012345678901234\r\n0\r\n\r\n", data: 62),
    ValidBody("0010\r\n\(sixteen)\r\n000\r\n\r\n", data: 16),
    // More than 16 digits is fine while the value is small: only overflow is refused.
    ValidBody("000000000000000000000001\r\nx\r\n00000000000000000000\r\n\r\n", data: 1),
    // Data is opaque: CRLF, NUL, bytes >= 0x80 and digits inside it are skipped by count.
    ValidBody("7\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n", data: 7),
    ValidBody("4\r\n\u{00}\u{FF}\n\r\r\n0\r\n\r\n", data: 4),
    // Extensions: name alone, token and quoted-string values, several, on the last chunk.
    ValidBody("5;name\r\nhello\r\n0\r\n\r\n", data: 5),
    ValidBody("5;name=value\r\nhello\r\n0\r\n\r\n", data: 5),
    ValidBody("5;a=\"quoted string; with = signs\"\r\nhello\r\n0\r\n\r\n", data: 5),
    ValidBody("5;a=\"\"\r\nhello\r\n0\r\n\r\n", data: 5),
    ValidBody("5;a=1;b;c=\"x\"\r\nhello\r\n0;last=yes\r\n\r\n", data: 5),
    ValidBody("5;!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~09AZaz\r\nhello\r\n0\r\n\r\n", data: 5),
    ValidBody("5;a=\"caf\u{E9}\t\u{FF}\"\r\nhello\r\n0\r\n\r\n", data: 5),
    // quoted-pair: an escaped quote, backslash, tab and obs-text.
    ValidBody("5;a=\"x\\\"y\\\\z\\\t\\\u{E9}\"\r\nhello\r\n0\r\n\r\n", data: 5),
    // BWS around ";" and "=" (spaces and tabs, several).
    ValidBody("5 ; a = b\r\nhello\r\n0\r\n\r\n", data: 5),
    ValidBody("5\t;\ta\t=\t\"q\" ;  b\r\nhello\r\n0 \t; z\r\n\r\n", data: 5),
    ValidBody("5;a ;b= c;d =\"e\"\r\nhello\r\n0\r\n\r\n", data: 5),
    // Trailers.
    ValidBody("5\r\nhello\r\n0\r\nExpires: x\r\nX-Checksum: abc\r\n\r\n", data: 5),
    ValidBody("0\r\nA: 1\r\nB: 2\r\n\r\n", data: 0),
    ValidBody("0\r\nX:\r\nY: \r\nZ:v\r\n\r\n", data: 0),
    ValidBody("0\r\nX: a\tb \u{E9}\u{80} \"q\" ; = :\r\n\r\n", data: 0),
    ValidBody("0\r\n!#$%&'*+-.^_`|~09AZaz: v\r\n\r\n", data: 0),
    // Limits: exactly at each one is accepted (see the invalid table for one over).
    ValidBody("0\r\nA: 1\r\nB: 2\r\n\r\n", data: 0, limits: ParserLimits(maxHeaderCount: 2)),
    ValidBody("1\r\nx\r\n0\r\n\r\n", data: 1, limits: ParserLimits(maxHeaderCount: 0)),
    // 3 + 2 + 3 + 6 + 2 bytes of size lines, CRLFs and trailers; the data does not count.
    ValidBody("5\r\nhello\r\n0\r\nX: v\r\n\r\n", data: 5, limits: ParserLimits(maxHead: 16)),
    ValidBody("10\r\n\(sixteen)\r\n0\r\n\r\n", data: 16, limits: ParserLimits(maxHead: 11)),
    ValidBody("5\r\nhello\r\n0\r\n\r\n", data: 5, maxData: 5),
    ValidBody("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", data: 5, maxData: 5),
    ValidBody("0\r\n\r\n", data: 0, maxData: 0),
]

let invalidBodies: [InvalidBody] = [
    // Sizes: hex digits only, from the first byte of the line.
    InvalidBody("+"),
    InvalidBody("-"),
    InvalidBody("1+"),
    InvalidBody("0x"),
    InvalidBody("g"),
    InvalidBody("1g"),
    InvalidBody("\r"),  // empty size
    InvalidBody(";"),  // empty size before an extension
    InvalidBody(" "),
    InvalidBody("\t"),
    InvalidBody("5\r\nhello\r\n "),
    InvalidBody("5\r\nhello\r\n\r"),  // no last chunk
    InvalidBody("1 \r"),  // BWS only around ";" and "="
    InvalidBody("1\t\r"),
    InvalidBody("1 1"),
    // Overflow: refused at the digit that would pass Int64.max.
    InvalidBody("1" + String(repeating: "0", count: 16)),
    InvalidBody(String(repeating: "f", count: 16)),
    InvalidBody("8" + String(repeating: "0", count: 15)),
    InvalidBody("00000" + String(repeating: "f", count: 16)),
    // CRLF after the size line and after the data.
    InvalidBody("1\n"),
    InvalidBody("1\rx"),
    InvalidBody("1\r\r"),
    InvalidBody("1;a\n"),
    InvalidBody("1;a=\"b\"\n"),
    InvalidBody("1\r\nxy"),  // data longer than announced
    InvalidBody("1\r\nx\n"),
    InvalidBody("1\r\nx\rx"),
    InvalidBody("1\r\nx\r\r"),
    InvalidBody("0\r\n\n"),
    InvalidBody("0\r\n\rx"),
    InvalidBody("0\r\n\r\r"),
    // Extensions.
    InvalidBody("1;\r"),  // no name
    InvalidBody("1;;"),
    InvalidBody("1;="),
    InvalidBody("1;a=\r"),  // no value
    InvalidBody("1;a=;"),
    InvalidBody("1;a \r"),
    InvalidBody("1;a=b \r"),
    InvalidBody("1;a=\"b\" \r"),
    InvalidBody("1;a=b="),
    InvalidBody("1;a b"),
    InvalidBody("1;a=b c"),
    InvalidBody("1;a\""),
    InvalidBody("1;a=b\""),
    InvalidBody("1;a=\"b\"c"),
    InvalidBody("1;a=\"b\"\""),
    InvalidBody("1;a("),
    InvalidBody("1;a=b("),
    InvalidBody("1;a=\"unterminated\r"),
    InvalidBody("1;a=\"b\\\r"),
    InvalidBody("1;\u{00}"),
    InvalidBody("1;a\u{00}"),
    InvalidBody("1;a=\u{01}"),
    InvalidBody("1;a=\"\u{00}"),
    InvalidBody("1;a=\"x\u{0B}"),
    InvalidBody("1;a=\"x\u{7F}"),
    InvalidBody("1;a=\"\\\u{00}"),
    InvalidBody("1;a=\"\\\u{7F}"),
    InvalidBody("1;\u{E9}"),
    InvalidBody("1;a=\u{E9}"),
    // Trailers: checked like header fields.
    InvalidBody("0\r\nX "),  // whitespace before the colon
    InvalidBody("0\r\nX\t"),
    InvalidBody("0\r\nNoColon\r"),
    InvalidBody("0\r\n:"),
    InvalidBody("0\r\n "),  // obsolete line folding, or whitespace before the name
    InvalidBody("0\r\nX: v\r\n\t"),
    InvalidBody("0\r\nX("),
    InvalidBody("0\r\nX\u{E9}"),
    InvalidBody("0\r\nX\u{00}"),
    InvalidBody("0\r\nX: a\u{00}"),
    InvalidBody("0\r\nX: a\u{01}"),
    InvalidBody("0\r\nX: a\u{7F}"),
    InvalidBody("0\r\nX: v\n"),
    InvalidBody("0\r\nX: v\rx"),
    InvalidBody("0\r\nX: v\r\n\n"),
    // Limits: one over.
    InvalidBody("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n", limits: ParserLimits(maxHeaderCount: 2)),
    InvalidBody("0\r\nA: 1\r\n", limits: ParserLimits(maxHeaderCount: 0)),
    InvalidBody("5\r\nhello\r\n0\r\nX: v\r\n\r\n", limits: ParserLimits(maxHead: 15)),
    InvalidBody("0\r\n\r\n", limits: ParserLimits(maxHead: 4)),
    InvalidBody("0", limits: ParserLimits(maxHead: 0)),
    InvalidBody("1;" + String(repeating: "a", count: 30), limits: ParserLimits(maxHead: 31)),
    InvalidBody("0\r\nX: " + String(repeating: "v", count: 30), limits: ParserLimits(maxHead: 35)),
    InvalidBody("6\r\n", .bodyTooLarge, maxData: 5),
    InvalidBody("3\r\nabc\r\n3\r\n", .bodyTooLarge, maxData: 5),
    InvalidBody("1\r\n", .bodyTooLarge, maxData: 0),
    InvalidBody(int64Max + "\r\n", .bodyTooLarge),
    // Announced data past Int64.max in total: refused, not an arithmetic overflow (this trapped).
    InvalidBody("1\r\nx\r\n" + int64Max + "\r\n", .bodyTooLarge),
    InvalidBody("1\r\nx\r\n" + int64Max + "\r\n", .bodyTooLarge, maxData: Int64.max),
]

// MARK: - Tests

@Suite struct ChunkedDecoderTests {
    /// Bytes after the body belong to the next request: `.done` counts exactly the body, however
    /// the input is split.
    @Test(arguments: validBodies)
    func validAtEverySplitPoint(_ c: ValidBody) {
        let bytes = c.bytes
        let done = Decoded(outcome: .done(consumed: bytes.count), dataBytes: c.dataBytes)
        for next in ["", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "0\r\n\r\n", "\r\n", "\u{00}\u{FF}"] {
            expectEverySplit(bytes + latin1(next), done, limits: c.limits, maxData: c.maxData)
        }
    }

    @Test(arguments: validBodies)
    func validPrefixesNeedMore(_ c: ValidBody) {
        expectPrefixesNeedMore(c.bytes, limits: c.limits, maxData: c.maxData)
    }

    @Test(arguments: invalidBodies)
    func invalidAtEverySplitPoint(_ c: InvalidBody) {
        let failed = decode(c.bytes, limits: c.limits, maxData: c.maxData)
        #expect(failed.outcome == .invalid(c.error))
        // Bytes after the one that breaks the body change nothing.
        let more = c.bytes + latin1("\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n")
        expectEverySplit(more, failed, limits: c.limits, maxData: c.maxData)
    }

    /// Rejected at the byte that breaks the body, not before.
    @Test(arguments: invalidBodies)
    func invalidPrefixesNeedMore(_ c: InvalidBody) {
        expectPrefixesNeedMore(c.bytes, limits: c.limits, maxData: c.maxData)
    }

    /// Every strict prefix of `bytes`, fed whole to a fresh decoder, leaves the body open.
    func expectPrefixesNeedMore(
        _ bytes: [UInt8], limits: ParserLimits, maxData: Int64, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for length in 0..<bytes.count {
            let prefix = decode(Array(bytes[..<length]), limits: limits, maxData: maxData)
            #expect(prefix.outcome == .needMore, "prefix \(length)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Counting

    @Test func consumedCountsOnlyTheLastPiece() {
        var decoder = ChunkedDecoder(limits: ParserLimits(), maxData: 100)
        #expect(latin1("3\r\nab").withUnsafeBytes { decoder.consume($0) } == .needMore)
        // Data is counted when announced, before it arrives.
        #expect(decoder.dataBytes == 3)
        #expect(latin1("c\r\n0\r").withUnsafeBytes { decoder.consume($0) } == .needMore)
        #expect(latin1("\n\r\nGET /").withUnsafeBytes { decoder.consume($0) } == .done(consumed: 3))
        #expect(decoder.dataBytes == 3)
    }

    @Test func emptyPieceNeedsMore() {
        var decoder = ChunkedDecoder(limits: ParserLimits(), maxData: 100)
        #expect(decoder.consume(UnsafeRawBufferPointer(start: nil, count: 0)) == .needMore)
        #expect(decoder.dataBytes == 0)
    }

    @Test func largestSizeIsAcceptedUpToMaxData() {
        let line = latin1(int64Max + "\r\n")
        let open = decode(line, maxData: Int64.max)
        #expect(open == Decoded(outcome: .needMore, dataBytes: Int64.max))
        // The data itself is skipped by count, in pieces of any size.
        let body = latin1("10\r\n") + [UInt8](repeating: 0x2A, count: 16) + latin1("\r\n0\r\n\r\n")
        let done = Decoded(outcome: .done(consumed: body.count), dataBytes: 16)
        expectEverySplit(body, done, limits: ParserLimits(), maxData: 16)
    }

    // MARK: All 256 byte values

    @Test func everyByteAsFirstByte() {
        for byte in UInt8.min...UInt8.max {
            let isHex = Reference.alphaDigit.contains(byte) && Int(String(Unicode.Scalar(byte)), radix: 16) != nil
            #expect(decode([byte]).outcome == (isHex ? .needMore : .invalid(.invalidChunkedBody)), "byte \(byte)")
        }
    }

    @Test func everyByteInExtensionName() {
        for byte in UInt8.min...UInt8.max {
            let body = latin1("1;a") + [byte] + latin1("b\r\nx\r\n0\r\n\r\n")
            // "a;b" is two names and "a=b" a name with a value.
            let valid = Reference.token.contains(byte) || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "=")
            let expected: ChunkedDecoder.Outcome = valid ? .done(consumed: body.count) : .invalid(.invalidChunkedBody)
            #expect(decode(body).outcome == expected, "byte \(byte)")
        }
    }

    @Test func everyByteInQuotedExtension() {
        for byte in UInt8.min...UInt8.max {
            let quoted = latin1("1;a=\"") + [byte] + latin1("\"\r\nx\r\n0\r\n\r\n")
            let escaped = latin1("1;a=\"\\") + [byte] + latin1("\"\r\nx\r\n0\r\n\r\n")
            let qdtext = Reference.isFieldValue(byte) && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
            #expect(
                decode(quoted).outcome == (qdtext ? .done(consumed: quoted.count) : .invalid(.invalidChunkedBody)),
                "byte \(byte)")
            // Any field-value byte may be escaped, the quote and the backslash included.
            let pair = Reference.isFieldValue(byte)
            #expect(
                decode(escaped).outcome == (pair ? .done(consumed: escaped.count) : .invalid(.invalidChunkedBody)),
                "escaped byte \(byte)")
        }
    }

    @Test func everyByteInTrailerName() {
        for byte in UInt8.min...UInt8.max {
            let body = latin1("0\r\nX") + [byte] + latin1("Y: v\r\n\r\n")
            // With ":" the name is "X" and the value "Y: v".
            let valid = Reference.token.contains(byte) || byte == ASCII.colon
            let expected: ChunkedDecoder.Outcome = valid ? .done(consumed: body.count) : .invalid(.invalidChunkedBody)
            #expect(decode(body).outcome == expected, "byte \(byte)")
        }
    }

    @Test func everyByteInTrailerValue() {
        for byte in UInt8.min...UInt8.max {
            let body = latin1("0\r\nX: a") + [byte] + latin1("b\r\n\r\n")
            let valid = Reference.isFieldValue(byte)
            let expected: ChunkedDecoder.Outcome = valid ? .done(consumed: body.count) : .invalid(.invalidChunkedBody)
            #expect(decode(body).outcome == expected, "byte \(byte)")
        }
    }

    // MARK: Status mapping

    @Test func statusOfBodyErrors() {
        #expect(ParseError.invalidChunkedBody.status == .badRequest)
        #expect(ParseError.bodyTooLarge.status == .contentTooLarge)
    }
}
