import Foundation
import Glibc

enum ClientError: Error, Equatable {
    case connect(Int32)
    case send(Int32)
    case receive(Int32)
    /// No byte arrived within the receive timeout.
    case timeout
    /// The server closed (FIN) before a whole response arrived.
    case closed(received: Int)
    case reset
    case malformed(String)
}

/// A blocking TCP client (to 127.0.0.1 unless told) with receive/send timeouts, so that no test can hang on it.
/// Bytes received past one response stay buffered for the next (pipelining). Used by one thread at a time.
final class RawClient: @unchecked Sendable {
    private(set) var fd: Int32
    private(set) var buffer: [UInt8] = []
    private(set) var sawEOF = false

    init(port: UInt16, host: String = "127.0.0.1", timeout: Double = 10, receiveBuffer: Int? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError.connect(errno) }
        self.fd = fd
        var value = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError.connect(code)
        }
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw errno == EAGAIN ? ClientError.timeout : ClientError.send(errno)
            }
            offset += sent
        }
    }

    /// One recv into the buffer; returns the byte count (0 at EOF).
    @discardableResult
    func receiveMore(max: Int = 256 * 1024) throws -> Int {
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if count > 0 {
                buffer += chunk[..<count]
                return count
            }
            if count == 0 {
                sawEOF = true
                return 0
            }
            switch errno {
            case EINTR: continue
            case EAGAIN: throw ClientError.timeout
            case ECONNRESET: throw ClientError.reset
            default: throw ClientError.receive(errno)
            }
        }
    }

    /// Reads one full response (status line, fields, Content-Length body), keeping what follows it.
    func readResponse(forHead: Bool = false) throws -> HTTPResponse {
        while true {
            switch HTTPResponse.parse(buffer, forHead: forHead, atEOF: sawEOF) {
            case .complete(let response, let consumed):
                buffer.removeFirst(consumed)
                return response
            case .malformed(let reason):
                if sawEOF && buffer.isEmpty { throw ClientError.closed(received: 0) }
                throw ClientError.malformed(reason)
            case .needMore, .untilClose:
                if sawEOF { throw ClientError.closed(received: buffer.count) }
                try receiveMore()
            }
        }
    }

    /// Reads only the head of a response; the body is left for `readBody`.
    func readHead() throws -> HTTPResponse {
        while true {
            if let end = HTTPResponse.find([13, 10, 13, 10], in: buffer) {
                let head = Array(buffer[..<(end + 4)])
                buffer.removeFirst(end + 4)
                guard case .complete(let response, _) = HTTPResponse.parse(head, forHead: true) else {
                    throw ClientError.malformed(String(decoding: head, as: UTF8.self))
                }
                return response
            }
            if sawEOF { throw ClientError.closed(received: buffer.count) }
            try receiveMore()
        }
    }

    /// Streams `count` body bytes to `consume` in chunks (with their offset), never holding them all.
    func readBody(count: Int, chunk: Int = 256 * 1024, _ consume: (Int, [UInt8]) throws -> Void) throws {
        var offset = 0
        while offset < count {
            if buffer.isEmpty {
                if sawEOF { throw ClientError.closed(received: offset) }
                try receiveMore(max: min(chunk, count - offset))
                continue
            }
            let take = min(buffer.count, count - offset)
            try consume(offset, Array(buffer[..<take]))
            buffer.removeFirst(take)
            offset += take
        }
    }

    /// Waits for the server to close: returns whatever arrived first. Throws `.timeout` if it stays open.
    func readUntilClose() throws -> [UInt8] {
        do {
            while !sawEOF { try receiveMore() }
        } catch ClientError.reset {
            // A reset is also a close; what arrived before it is in the buffer.
        }
        defer { buffer.removeAll() }
        return buffer
    }

    /// Sends the request, reads the response; for one-shot requests.
    static func exchange(port: UInt16, _ request: String, forHead: Bool = false) throws -> HTTPResponse {
        let client = try RawClient(port: port)
        try client.send(request)
        return try client.readResponse(forHead: forHead)
    }

    /// Closes with an RST (SO_LINGER 0), as an aborting client does.
    func abort() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    /// Whether the socket is readable within `milliseconds` (data or EOF).
    func waitReadable(milliseconds: Int32) -> Bool {
        if !buffer.isEmpty || sawEOF { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }
}

/// A GET request line with Host, for brevity in tests.
func get(_ path: String, _ extra: String = "", method: String = "GET") -> String {
    "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(extra)\r\n"
}
