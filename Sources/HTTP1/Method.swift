/// A request method. Known methods are recognised while the request line is scanned; anything else
/// that is a valid token is `.other` (the Responder answers 501).
public enum Method: UInt8, Sendable, Equatable {
    case get, head, post, put, delete, connect, options, trace, patch, other

    public var name: StaticString {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .connect: "CONNECT"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .patch: "PATCH"
        case .other: "OTHER"
        }
    }
}
