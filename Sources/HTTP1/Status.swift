/// A response status code with its reason phrase.
public struct Status: Sendable, Equatable, Hashable {
    public let code: Int

    public init(code: Int) { self.code = code }

    public static let ok = Status(code: 200)
    public static let noContent = Status(code: 204)
    public static let partialContent = Status(code: 206)
    public static let movedPermanently = Status(code: 301)
    public static let notModified = Status(code: 304)
    public static let badRequest = Status(code: 400)
    public static let forbidden = Status(code: 403)
    public static let notFound = Status(code: 404)
    public static let methodNotAllowed = Status(code: 405)
    public static let requestTimeout = Status(code: 408)
    public static let contentTooLarge = Status(code: 413)
    public static let preconditionFailed = Status(code: 412)
    public static let uriTooLong = Status(code: 414)
    public static let rangeNotSatisfiable = Status(code: 416)
    public static let expectationFailed = Status(code: 417)
    public static let headerFieldsTooLarge = Status(code: 431)
    public static let internalServerError = Status(code: 500)
    public static let notImplemented = Status(code: 501)
    public static let serviceUnavailable = Status(code: 503)
    public static let versionNotSupported = Status(code: 505)

    public var reason: StaticString {
        switch code {
        case 200: "OK"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 416: "Range Not Satisfiable"
        case 417: "Expectation Failed"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }

    /// 1xx, 204 and 304 never carry a body (RFC 9110 §6.4.1).
    public var allowsBody: Bool { code >= 200 && code != 204 && code != 304 }
}
