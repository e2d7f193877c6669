/// Finds where one HTTP/1.1 response ends in a byte stream, reading no more than that needs: the
/// status code, Content-Length, `Connection: close` and whether Transfer-Encoding is present. Body
/// bytes are only counted, never looked at. Resumable at any byte boundary; a few bytes of state,
/// so ten thousand connections can each hold one.
///
/// Deliberately partial: chunked bodies (and an unreadable Content-Length) are reported as
/// `.invalid`, since the load generator asks only for static files, which a server frames with
/// Content-Length; a response without Content-Length runs to the end of the stream (RFC 9112 §6.3
/// rule 8), ended by `endOfStream()`.
public struct ResponseFramer: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// All bytes were consumed and the response is not finished.
        case needMore
        /// The response ended after `consumed` bytes of this chunk.
        case complete(status: Int, consumed: Int, closes: Bool)
        /// Not an HTTP/1.x response this framer can delimit.
        case invalid
    }

    private enum State: UInt8 {
        case statusPrefix, statusSpace, statusCode, statusRest
        case lineStart, name, value, skipLine, headEnd
        case body, bodyUntilClose
    }

    // Header names of interest, matched while the name streams by: a bit per candidate still alive.
    // StaticStrings rather than arrays: a literal's bytes need no lazy initialisation or retain.
    private static var contentLength: StaticString { "content-length" }
    private static var connection: StaticString { "connection" }
    private static var transferEncoding: StaticString { "transfer-encoding" }
    private static var close: StaticString { "close" }
    private static var prefix: StaticString { "HTTP/1." }

    private var state = State.statusPrefix
    private var position: Int32 = 0  // index within the status prefix, header name or value
    private var candidates: UInt8 = 0  // 1: content-length, 2: connection, 4: transfer-encoding
    private var matched: UInt8 = 0  // which header the current value belongs to
    private var valueFlag = true  // connection: still "close"; content-length: digits seen
    private var hasLength = false
    private var unframeable = false  // chunked, or a Content-Length that is not a number
    private var closes = false
    public private(set) var status: Int = 0
    private var remaining: Int = 0
    /// No body whatever the headers say (the answer to HEAD).
    public var bodiless = false

    public init(bodiless: Bool = false) { self.bodiless = bodiless }

    /// Forgets the current response, ready for the next one on the same connection.
    public mutating func reset() { self = ResponseFramer(bodiless: bodiless) }

    /// Whether some bytes of a response have been seen and it is not finished.
    public var isInsideResponse: Bool { state != .statusPrefix || position != 0 }

    /// Feeds the next bytes of the stream.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var i = 0
        let n = bytes.count
        while i < n {
            switch state {
            case .body:
                let take = min(remaining, n - i)
                remaining -= take
                i += take
                if remaining == 0 { return finish(consumed: i) }
                continue
            case .bodyUntilClose:
                return .needMore
            default:
                break
            }
            let byte = bytes[i]
            i += 1
            switch state {
            case .statusPrefix:
                guard byte == Self.prefix.utf8Start[Int(position)] else { return .invalid }
                position += 1
                if position == Int32(Self.prefix.utf8CodeUnitCount) { state = .statusSpace }
            case .statusSpace:
                if byte == UInt8(ascii: " ") {
                    state = .statusCode
                    position = 0
                } else if !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
                    return .invalid
                }
            case .statusCode:
                if position < 3 {
                    guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return .invalid }
                    status = status * 10 + Int(byte - UInt8(ascii: "0"))
                    position += 1
                } else if byte == UInt8(ascii: "\n") {
                    state = .lineStart
                } else {
                    state = .statusRest
                }
            case .statusRest:
                if byte == UInt8(ascii: "\n") { state = .lineStart }
            case .lineStart:
                if byte == UInt8(ascii: "\r") {
                    state = .headEnd
                } else if byte == UInt8(ascii: "\n") {
                    if let outcome = headComplete(consumed: i) { return outcome }
                } else {
                    candidates = 7
                    position = 0
                    state = .name
                    nameByte(byte)
                }
            case .headEnd:
                guard byte == UInt8(ascii: "\n") else { return .invalid }
                if let outcome = headComplete(consumed: i) { return outcome }
            case .name:
                nameByte(byte)
            case .value:
                if byte == UInt8(ascii: "\n") {
                    endValue()
                    state = .lineStart
                } else {
                    valueByte(byte)
                }
            case .skipLine:
                if byte == UInt8(ascii: "\n") { state = .lineStart }
            case .body, .bodyUntilClose:
                break
            }
        }
        return .needMore
    }

    /// The peer closed the stream: a body delimited by the close is complete, anything else is cut short.
    public mutating func endOfStream() -> Outcome {
        guard state == .bodyUntilClose else { return .invalid }
        return finish(consumed: 0)
    }

    private mutating func finish(consumed: Int) -> Outcome {
        let outcome = Outcome.complete(status: status, consumed: consumed, closes: closes)
        reset()
        return outcome
    }

    private mutating func nameByte(_ byte: UInt8) {
        if byte == UInt8(ascii: ":") {
            let length = Int(position)
            matched = 0
            if candidates & 1 != 0 && length == Self.contentLength.utf8CodeUnitCount {
                matched = 1
                hasLength = true
                remaining = 0
                valueFlag = false
            } else if candidates & 2 != 0 && length == Self.connection.utf8CodeUnitCount {
                matched = 2
                valueFlag = true
            } else if candidates & 4 != 0 && length == Self.transferEncoding.utf8CodeUnitCount {
                unframeable = true
            }
            state = matched == 0 ? .skipLine : .value
            position = 0
            return
        }
        if byte == UInt8(ascii: "\n") {
            state = .lineStart  // a line without a colon: not ours to judge
            return
        }
        let lower = byte | 0x20  // ASCII letters only; other bytes simply fail to match
        let p = Int(position)
        if candidates & 1 != 0
            && (p >= Self.contentLength.utf8CodeUnitCount || Self.contentLength.utf8Start[p] != lower)
        {
            candidates &= ~1
        }
        if candidates & 2 != 0 && (p >= Self.connection.utf8CodeUnitCount || Self.connection.utf8Start[p] != lower) {
            candidates &= ~2
        }
        if candidates & 4 != 0
            && (p >= Self.transferEncoding.utf8CodeUnitCount || Self.transferEncoding.utf8Start[p] != lower)
        {
            candidates &= ~4
        }
        position += 1
        if candidates == 0 { state = .skipLine }
    }

    private mutating func valueByte(_ byte: UInt8) {
        if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") { return }
        if matched == 1 {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), remaining < Int.max / 20 else {
                unframeable = true
                return
            }
            remaining = remaining * 10 + Int(byte - UInt8(ascii: "0"))
            valueFlag = true
        } else {
            // Only the single token "close" matters; "keep-alive" or a list simply do not match.
            let p = Int(position)
            if p >= Self.close.utf8CodeUnitCount || Self.close.utf8Start[p] != byte | 0x20 { valueFlag = false }
            position += 1
        }
    }

    private mutating func endValue() {
        if matched == 1 && !valueFlag { unframeable = true }
        if matched == 2 && valueFlag && Int(position) == Self.close.utf8CodeUnitCount { closes = true }
        matched = 0
    }

    /// Decides how the body is delimited once the blank line is seen; nil means keep reading.
    private mutating func headComplete(consumed: Int) -> Outcome? {
        if status < 200 && status >= 100 {
            // An interim response (100 Continue): the real one follows.
            reset()
            return nil
        }
        if bodiless || status == 204 || status == 304 { return finish(consumed: consumed) }
        if unframeable { return .invalid }
        if hasLength {
            if remaining == 0 { return finish(consumed: consumed) }
            state = .body
            return nil
        }
        state = .bodyUntilClose
        closes = true
        return nil
    }
}
