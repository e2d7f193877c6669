/// What went wrong during a load step, by kind.
public struct LoadErrors: Sendable, Equatable {
    /// socket/connect failed, or the connection was refused.
    public var connect: UInt64 = 0
    /// A complete response whose status was not 2xx.
    public var status: UInt64 = 0
    /// The connection broke mid-request (reset, EPIPE, an early end of stream).
    public var reset: UInt64 = 0
    /// No complete response within the request timeout.
    public var timeout: UInt64 = 0
    /// Bytes that are not a response this client can frame (or bytes nobody asked for).
    public var protocolViolation: UInt64 = 0

    public init() {}

    public var total: UInt64 { connect + status + reset + timeout + protocolViolation }
}

/// The outcome of one load step: counts over the measured interval (warm-up excluded).
public struct LoadResult: Sendable {
    /// Complete responses, whatever their status.
    public var requests: UInt64 = 0
    /// Bytes received (heads and bodies).
    public var bytes: UInt64 = 0
    /// Length of the measured interval.
    public var seconds: Double = 0
    public var latency = LatencyHistogram()
    public var errors = LoadErrors()

    public init() {}

    public var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }
    public var bytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds : 0 }
}
