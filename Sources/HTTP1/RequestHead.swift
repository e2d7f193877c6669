/// A parsed request head. Every field that refers to request bytes is a range of offsets into the
/// buffer the parser was given, so parsing allocates nothing: a `Span` cannot be stored in a struct,
/// and copying strings out would cost an allocation per header.
///
/// Only the headers Spindle acts on are kept (typed while scanning); every other field is validated
/// and counted, then skipped.
public struct RequestHead: Sendable, Equatable {
    public var method: Method = .other
    /// The method token as sent.
    public var methodBytes: Range<Int> = 0..<0
    /// The whole request-target as sent.
    public var target: Range<Int> = 0..<0
    /// The path part of the target, still percent-encoded: for origin-form everything before `?`;
    /// for absolute-form the part after the authority (empty means `/`); for `*` the star itself.
    public var path: Range<Int> = 0..<0
    /// The query after `?` (without the `?`), if there is one.
    public var query: Range<Int>? = nil
    public var version: Version = .http11

    /// The Host field value (trimmed). Required exactly once on HTTP/1.1.
    public var host: Range<Int>? = nil
    /// Tokens of the Connection field that Spindle acts on.
    public var connectionClose = false
    public var connectionKeepAlive = false
    /// Content-Length, when present (repeated or conflicting values are a parse error).
    public var contentLength: Int64? = nil
    /// Transfer-Encoding is present and its final coding is `chunked` (anything else is a parse error).
    public var isChunked = false
    /// `Expect: 100-continue` was sent.
    public var expectsContinue = false
    /// Field values (trimmed of surrounding whitespace), present when the field was sent.
    public var range: Range<Int>? = nil
    public var ifNoneMatch: Range<Int>? = nil
    public var ifMatch: Range<Int>? = nil
    public var ifModifiedSince: Range<Int>? = nil
    public var ifUnmodifiedSince: Range<Int>? = nil
    public var ifRange: Range<Int>? = nil
    public var acceptEncoding: Range<Int>? = nil
    /// Only directory listings read it (HTML or JSON); the first field counts.
    public var accept: Range<Int>? = nil
    /// CORS (Fetch standard): the requesting origin, and a preflight's method and header list.
    public var origin: Range<Int>? = nil
    public var accessControlRequestMethod: Range<Int>? = nil
    public var accessControlRequestHeaders: Range<Int>? = nil
    /// Kept for the combined access-log format.
    public var userAgent: Range<Int>? = nil
    public var referer: Range<Int>? = nil
    /// Number of header fields in the head.
    public var headerCount = 0

    public init() {}

    /// Whether the connection stays open after this request (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if connectionClose { return false }
        return version == .http11 || connectionKeepAlive
    }

    /// Whether a message body follows the head.
    public var hasBody: Bool { isChunked || (contentLength ?? 0) > 0 }
}
