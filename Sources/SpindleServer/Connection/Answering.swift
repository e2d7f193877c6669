import HTTP1

/// What decides the answers on a connection: the site's `Responder`, or the `StatusResponder` of
/// the health and metrics listener. `ConnectionCore` is generic over it, so the site's hot path
/// calls the Responder directly.
protocol Answering: AnyObject {
    /// The answer to a parsed request: the head (and any generated body) appended to `out`.
    func respond(
        to head: RequestHead, in request: UnsafeRawBufferPointer, now: Int64, forceClose: Bool,
        into out: inout [UInt8]
    ) -> Response
    /// The answer to a request that could not be parsed (always Connection: close).
    func respond(to error: ParseError, request: UnsafeRawBufferPointer?, now: Int64, into out: inout [UInt8])
        -> Response
    /// A plain status (408 on a head timeout). Always Connection: close.
    func respond(status: Status, now: Int64, into out: inout [UInt8]) -> Response
}

extension Responder: Answering {}
