/// The header fields Spindle acts on. Every other field is validated, counted and skipped.
enum KnownField: UInt8, Sendable {
    case other
    case host, contentLength, transferEncoding, connection, expect
    case range, ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince, ifRange
    case accept, acceptEncoding, userAgent, referer
    case origin, accessControlRequestMethod, accessControlRequestHeaders

    /// Identifies a field name (a token, so case folding by OR 0x20 is exact): the length picks at
    /// most two candidates, then one word-wise comparison decides.
    @inline(__always)
    static func identify(_ name: UnsafePointer<UInt8>, _ count: Int) -> KnownField {
        @inline(__always) func eq(_ literal: StaticString) -> Bool {
            ASCII.equals(name, count, literal, folding: true)
        }
        switch count {
        case 4: return eq("host") ? .host : .other
        case 5: return eq("range") ? .range : .other
        case 6: return eq("expect") ? .expect : eq("origin") ? .origin : eq("accept") ? .accept : .other
        case 7: return eq("referer") ? .referer : .other
        case 8: return eq("if-match") ? .ifMatch : eq("if-range") ? .ifRange : .other
        case 10: return eq("connection") ? .connection : eq("user-agent") ? .userAgent : .other
        case 13: return eq("if-none-match") ? .ifNoneMatch : .other
        case 14: return eq("content-length") ? .contentLength : .other
        case 15: return eq("accept-encoding") ? .acceptEncoding : .other
        case 17:
            return eq("transfer-encoding") ? .transferEncoding : eq("if-modified-since") ? .ifModifiedSince : .other
        case 19: return eq("if-unmodified-since") ? .ifUnmodifiedSince : .other
        case 29: return eq("access-control-request-method") ? .accessControlRequestMethod : .other
        case 30: return eq("access-control-request-headers") ? .accessControlRequestHeaders : .other
        default: return .other
        }
    }
}
