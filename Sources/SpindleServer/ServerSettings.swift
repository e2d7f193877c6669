import HTTP1

/// The runtime settings both serving modes share, in the units the loops use (nanoseconds, counts).
public struct ServerSettings: Sendable {
    /// From the first byte of a request (or the accept) to the end of its head: an absolute deadline,
    /// so a client trickling bytes (slowloris) cannot extend it.
    public var headTimeout: Int64 = 10 * second
    /// How long an idle keep-alive connection is kept.
    public var keepAliveTimeout: Int64 = 75 * second
    /// How long a response may make no progress because the client does not read.
    public var sendTimeout: Int64 = 60 * second
    /// How long SIGTERM waits for in-flight responses before exiting anyway.
    public var shutdownGrace: Int64 = 10 * second
    /// How long SIGTERM keeps the listeners open (answers say `Connection: close`, `/healthz` 503)
    /// before the drain proper, so a load balancer can stop sending before connections are refused.
    public var shutdownDelay: Int64 = 0
    /// Connections served at once; accepting pauses at the limit.
    public var maxConnections = 16_384
    public var parserLimits = ParserLimits()
    /// A request body up to this size (Content-Length, or the data of a chunked body) is read and
    /// discarded so the connection can be kept; a larger one gets 413 and the connection is closed.
    public var maxDiscardedBody: Int64 = 64 * 1024
    /// Stack size of each connection thread in the threads mode.
    public var threadStackSize = 256 * 1024

    public static let second: Int64 = 1_000_000_000

    public init() {}
}

extension ServerSettings {
    /// Takes a reloaded configuration's settings, except the parser limits: the reactor's pooled read
    /// buffers were sized for them, and both modes must keep answering alike.
    public mutating func reload(from new: ServerSettings) {
        let limits = parserLimits
        self = new
        parserLimits = limits
    }
}
