extension Configuration {
    /// How long Spindle waits, each a whole number of milliseconds.
    public struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request (or accepting the connection) to the end of its head → 408.
        public var head: Duration
        /// How long an idle keep-alive connection is kept between requests.
        public var keepAlive: Duration
        /// How long a response may make no progress writing before the connection is dropped.
        public var send: Duration
        /// On SIGTERM/SIGINT, how long in-flight responses may take to finish before exit.
        public var shutdownGrace: Duration
        /// On SIGTERM/SIGINT, how long the listeners stay open (answering with Connection: close, and
        /// `/healthz` already 503) before the drain proper: time for a load balancer to notice.
        public var shutdownDelay: Duration = .zero

        public init(
            head: Duration = .seconds(10),
            keepAlive: Duration = .seconds(75),
            send: Duration = .seconds(60),
            shutdownGrace: Duration = .seconds(10)
        ) {
            self.head = head
            self.keepAlive = keepAlive
            self.send = send
            self.shutdownGrace = shutdownGrace
        }
    }
}

extension Duration {
    /// Whole milliseconds, for epoll timeouts and timer wheels (sub-millisecond parts are dropped).
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
