import HTTP1

extension Configuration {
    /// Hard limits that bound memory per connection and in total.
    public struct Limits: Sendable, Equatable {
        /// Open client connections; beyond it new connections wait in the listen backlog.
        public var connections: Int
        /// Bytes in a request head (request line plus fields) → 431 beyond it.
        public var headSize: Int
        /// Header fields in a request head → 431 beyond it.
        public var headerCount: Int
        /// Bytes in the request line → 414 beyond it. Never more than `headSize`.
        public var requestLine: Int
        /// Bytes of a request body (Content-Length, or a chunked body's data) read and thrown away to
        /// keep the connection → 413 beyond it.
        public var bodySize: Int = 65_536

        public init(connections: Int = 16_384, headSize: Int = 32_768, headerCount: Int = 100, requestLine: Int = 8192)
        {
            self.connections = connections
            self.headSize = headSize
            self.headerCount = headerCount
            self.requestLine = requestLine
        }

        /// The subset the request parser enforces.
        public var parserLimits: ParserLimits {
            ParserLimits(maxRequestLine: requestLine, maxHead: headSize, maxHeaderCount: headerCount)
        }
    }
}
