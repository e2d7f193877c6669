/// The HTTP versions Spindle speaks. Anything else is rejected with 505 by the parser.
public enum Version: UInt8, Sendable, Equatable {
    case http10
    case http11

    public var name: StaticString { self == .http10 ? "HTTP/1.0" : "HTTP/1.1" }
}
