import CLinux
import Glibc

/// Socket calls on an owned descriptor.
extension FileDescriptor {
    /// A listening TCP socket: SO_REUSEADDR, non-blocking and close-on-exec. An IPv6 wildcard
    /// (`[::]`) is dual-stack unless `ipv6Only`.
    public static func listen(
        on address: SocketAddress, backlog: Int32 = 4096, reusePort: Bool = false, ipv6Only: Bool = false
    ) throws(Errno) -> FileDescriptor {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try syscall("socket") { Glibc.socket(address.family, type, 0) }
        let socket = FileDescriptor(owning: fd)
        try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
        if reusePort { try socket.setOption(SOL_SOCKET, SO_REUSEPORT, 1) }
        if address.family == AF_INET6 { try socket.setOption(Int32(IPPROTO_IPV6), IPV6_V6ONLY, ipv6Only ? 1 : 0) }
        if address.withSockaddr({ bind(fd, $0, $1) }) != 0 { throw Errno.current("bind \(address)") }
        _ = try syscall("listen") { Glibc.listen(fd, backlog) }
        return socket
    }

    /// A TCP socket connected to `address` (blocking unless `nonBlocking`, in which case the connect
    /// may still be in progress when this returns).
    public static func connect(to address: SocketAddress, nonBlocking: Bool = false) throws(Errno) -> FileDescriptor {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        let socket = FileDescriptor(owning: try syscall("socket") { Glibc.socket(address.family, type, 0) })
        let result = address.withSockaddr { Glibc.connect(socket.rawValue, $0, $1) }
        if result != 0 && !(nonBlocking && errno == EINPROGRESS) { throw Errno.current("connect") }
        return socket
    }

    /// Accepts one connection, non-blocking and close-on-exec; nil when none is waiting.
    /// Errors the caller can survive (EMFILE, ENFILE, ECONNABORTED...) are thrown for it to handle.
    public func accept(nonBlocking: Bool = true) throws(Errno) -> FileDescriptor? {
        var flags = Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { flags |= Int32(SOCK_NONBLOCK.rawValue) }
        guard let fd = try retryingSyscall("accept4", { spindle_accept4(rawValue, flags) }) else { return nil }
        return FileDescriptor(owning: fd)
    }

    /// Receives into `buffer`; nil when it would block, 0 when the peer has closed its side.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        try retryingSyscall("recv") { recv(rawValue, buffer.baseAddress, buffer.count, 0) }
    }

    /// Sends `buffer` (never raising SIGPIPE); nil when it would block. `more` sets MSG_MORE, so a
    /// head and the start of the body it announces can leave in one packet.
    public func send(_ buffer: UnsafeRawBufferPointer, more: Bool = false) throws(Errno) -> Int? {
        let flags = Int32(MSG_NOSIGNAL) | (more ? spindle_msg_more() : 0)
        return try retryingSyscall("send") { Glibc.send(rawValue, buffer.baseAddress, buffer.count, flags) }
    }

    /// Sends `bytes` from `offset` on; nil when it would block. For callers that hold the socket as a
    /// borrowed parameter, which a closure over the array's storage could not capture.
    public func send(_ bytes: [UInt8], from offset: Int = 0, more: Bool = false) throws(Errno) -> Int? {
        let flags = Int32(MSG_NOSIGNAL) | (more ? spindle_msg_more() : 0)
        let fd = rawValue
        // The error is carried out by hand: `withUnsafeBytes` does not rethrow a typed error.
        var failure: Errno?
        let sent = bytes.withUnsafeBytes { (buffer) -> Int? in
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            do throws(Errno) {
                return try retryingSyscall("send") { Glibc.send(fd, rest.baseAddress, rest.count, flags) }
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return sent
    }

    /// Sends all of `buffer` on a blocking socket.
    public func sendAll(_ buffer: UnsafeRawBufferPointer, more: Bool = false) throws(Errno) {
        var offset = 0
        while offset < buffer.count {
            guard let sent = try send(UnsafeRawBufferPointer(rebasing: buffer[offset...]), more: more) else {
                throw Errno(EAGAIN, "send")  // SO_SNDTIMEO expired
            }
            offset += sent
        }
    }

    /// sendfile from `file` at `offset` (advanced by what was sent); nil when it would block,
    /// 0 when the file ended early (truncated under us).
    public func sendFile(from file: borrowing FileDescriptor, offset: inout Int64, count: Int) throws(Errno) -> Int? {
        var off = off_t(offset)
        let sent = try retryingSyscall("sendfile") { Glibc.sendfile(rawValue, file.rawValue, &off, count) }
        offset = Int64(off)
        return sent
    }

    public func shutdown(_ how: Int32 = Int32(SHUT_WR)) {
        _ = Glibc.shutdown(rawValue, how)
    }

    public func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(Errno) {
        var value = value
        _ = try syscall("setsockopt") {
            setsockopt(rawValue, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// SO_RCVTIMEO / SO_SNDTIMEO for blocking sockets (the threads mode's timeouts).
    public func setTimeout(_ name: Int32, nanoseconds: Int64) throws(Errno) {
        var tv = timeval(tv_sec: Int(nanoseconds / 1_000_000_000), tv_usec: Int(nanoseconds % 1_000_000_000 / 1000))
        _ = try syscall("setsockopt") {
            setsockopt(rawValue, SOL_SOCKET, name, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// TCP_NODELAY: responses are whole messages, Nagle only delays the last packet.
    public func setNoDelay() throws(Errno) { try setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1) }

    /// The peer's address, for the access log.
    public func peerAddress() -> SocketAddress? { SocketAddress(peerOf: rawValue) }

    /// The local address (to learn the port after binding port 0).
    public func localAddress() -> SocketAddress? {
        let fd = rawValue
        return SocketAddress(asking: { getsockname(fd, $0, $1) })
    }

    /// Whether this descriptor is a listening stream socket (for LISTEN_FDS adoption).
    public var isListeningSocket: Bool {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(rawValue, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value != 0
    }
}
