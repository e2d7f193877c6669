/// Why a request was rejected (its head, or the framing of its body). Each reason maps to one status; after any of them the
/// connection is closed, because the framing of whatever follows can no longer be trusted.
public enum ParseError: Error, Sendable, Equatable, CaseIterable {
    /// The first byte cannot start a method (e.g. a TLS ClientHello on a plain port).
    case notHTTP
    case invalidMethod
    case invalidTarget
    case invalidVersion
    case unsupportedVersion
    case requestLineTooLong
    case invalidHeaderName
    case invalidHeaderValue
    /// A line that starts with whitespace (obsolete line folding, RFC 9112 §5.2).
    case obsoleteLineFolding
    /// Whitespace between a field name and its colon (RFC 9112 §5.1).
    case whitespaceBeforeColon
    /// A CR not followed by LF.
    case bareCarriageReturn
    case controlCharacter
    case missingHost
    /// `Host:` with an empty value on HTTP/1.1 (RFC 9112 §3.2 allows either answer; ours is strict).
    case emptyHost
    case repeatedHost
    /// A second Range, If-Range, If-Match, If-None-Match, If-Modified-Since or If-Unmodified-Since
    /// field. The head keeps one range per field, and a request that repeats one of these is
    /// malformed or probing (nginx answers 400 to duplicates of most of them, too).
    case repeatedField
    case invalidContentLength
    case conflictingContentLength
    /// Content-Length and Transfer-Encoding together (RFC 9112 §6.3: request smuggling).
    case contentLengthWithTransferEncoding
    /// A Transfer-Encoding whose final coding is not `chunked`.
    case unsupportedTransferEncoding
    case headTooLarge
    case tooManyHeaders
    /// A chunked request body that breaks the grammar of RFC 9112 §7.1 (see `ChunkedDecoder`).
    case invalidChunkedBody
    /// A request body larger than the server is willing to read and discard.
    case bodyTooLarge

    /// The status to answer with before closing.
    public var status: Status {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headTooLarge, .tooManyHeaders: .headerFieldsTooLarge
        case .unsupportedVersion: .versionNotSupported
        case .bodyTooLarge: .contentTooLarge
        default: .badRequest
        }
    }
}
