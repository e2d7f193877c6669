import Glibc

/// An IPv4 or IPv6 address and port, as the kernel wants it.
public enum SocketAddress: Sendable, Equatable, CustomStringConvertible {
    case ipv4(sockaddr_in)
    case ipv6(sockaddr_in6)

    /// Parses a numeric host ("127.0.0.1", "::1", "" or "*" for any IPv4 address) and a port.
    public init?(host: String, port: UInt16) {
        self.init(numericHost: host.isEmpty || host == "*" ? "0.0.0.0" : host, port: port)
    }

    /// Parses an IP literal exactly as inet_pton does: no names, no `1.2.3`, no leading zeros in
    /// IPv4, no zone ids, nothing after a NUL (the caller must refuse NULs first).
    public init?(numericHost host: String, port: UInt16) {
        var sin = sockaddr_in()
        if inet_pton(AF_INET, host, &sin.sin_addr) == 1 {
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            self = .ipv4(sin)
            return
        }
        var sin6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1 {
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            self = .ipv6(sin6)
            return
        }
        return nil
    }

    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            self = .ipv4(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) })
        case AF_INET6:
            self = .ipv6(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) })
        default:
            return nil
        }
    }

    /// The peer of a connected socket, given by number (for code that only borrows the descriptor).
    public init?(peerOf descriptor: Int32) {
        self.init(asking: { getpeername(descriptor, $0, $1) })
    }

    /// The address a getpeername/getsockname-style call fills in.
    init?(asking call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, &length) }
        }
        guard result == 0 else { return nil }
        self.init(storage: storage)
    }

    public var family: Int32 {
        switch self {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        }
    }

    public var port: UInt16 {
        switch self {
        case .ipv4(let sin): UInt16(bigEndian: sin.sin_port)
        case .ipv6(let sin6): UInt16(bigEndian: sin6.sin6_port)
        }
    }

    /// The numeric host, without brackets.
    public var host: String {
        withHostBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The numeric host as text in a temporary buffer: no allocation (the access log's hot path).
    public func withHostBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN) + 1) { text in
            let capacity = socklen_t(text.count)
            let written: UnsafePointer<CChar>? =
                switch self {
                case .ipv4(var sin): inet_ntop(AF_INET, &sin.sin_addr, text.baseAddress, capacity)
                case .ipv6(var sin6): inet_ntop(AF_INET6, &sin6.sin6_addr, text.baseAddress, capacity)
                }
            guard written != nil, let base = text.baseAddress else {
                return body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            return body(UnsafeRawBufferPointer(start: base, count: strlen(base)))
        }
    }

    /// "127.0.0.1:8080" or "[::1]:8080".
    public var description: String {
        switch self {
        case .ipv4: "\(host):\(port)"
        case .ipv6: "[\(host)]:\(port)"
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch self {
        case .ipv4(var sin):
            withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6(var sin6):
            withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool { lhs.description == rhs.description }
}
