import Posix

/// One load step: where, what, how many connections, how long.
public struct LoadWorkload: Sendable {
    public var address: SocketAddress
    public var path: String
    public var connections: Int
    /// true: requests follow each other on a persistent connection; false: `Connection: close` and
    /// a new connection per request (its latency then includes the connect).
    public var keepAlive: Bool
    /// The measured interval, in seconds.
    public var duration: Double
    /// Seconds of load before measuring starts (connections opened, caches warm).
    public var warmup: Double
    /// A request (or connect) that takes longer counts as a timeout and its connection is replaced.
    public var requestTimeout: Double
    /// Non-blocking connects in progress at once: enough to open 10,000 connections in well under
    /// a second, few enough not to overflow the server's accept queue.
    public var connectsInFlight: Int

    public init(
        address: SocketAddress, path: String, connections: Int, keepAlive: Bool = true, duration: Double,
        warmup: Double = 0.5, requestTimeout: Double = 10, connectsInFlight: Int = 256
    ) {
        self.address = address
        self.path = path
        self.connections = connections
        self.keepAlive = keepAlive
        self.duration = duration
        self.warmup = warmup
        self.requestTimeout = requestTimeout
        self.connectsInFlight = connectsInFlight
    }

    /// The bytes of one request.
    public var request: [UInt8] {
        var text = "GET \(path) HTTP/1.1\r\nHost: \(address)\r\n"
        if !keepAlive { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
