/// The outcome of feeding bytes to the parser.
public enum ParseResult: Sendable, Equatable {
    /// The head is not complete yet; call again with the same bytes plus more.
    case needMore
    /// A complete head; `consumed` bytes (through the blank line) belong to it.
    case complete(RequestHead, consumed: Int)
    case invalid(ParseError)
}

/// Incremental HTTP/1.1 request-head parser (RFC 9112). PLACEHOLDER: being written.
public struct RequestParser: Sendable {
    public var limits: ParserLimits

    public init(limits: ParserLimits = ParserLimits()) { self.limits = limits }

    /// Parses the head at the start of `bytes`. `bytes` is everything received for this request
    /// so far, from its first byte; call again with more bytes after `.needMore`.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> ParseResult { .needMore }

    /// Forgets progress, ready for the next request.
    public mutating func reset() {}
}
