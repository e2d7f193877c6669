import Glibc
import Testing

@testable import Posix

@Suite struct SocketTests {
    @Test(arguments: ["127.0.0.1", "::1"])
    func listenConnectAcceptAndEcho(host: String) throws {
        let listener = try FileDescriptor.listen(on: SocketAddress(host: host, port: 0)!)
        let local = listener.localAddress()
        let address = try #require(local)
        #expect(address.port != 0)
        let nothing = try listener.accept() == nil
        #expect(nothing)  // nothing waiting: would-block is a value, not an error

        let client = try FileDescriptor.connect(to: address)
        let epoll = try Epoll()
        try epoll.add(listener.rawValue, .readable, token: 7)
        #expect(try epoll.wait(timeoutMilliseconds: 5000) == 1)
        #expect(epoll.event(at: 0).token == 7)
        guard let server = try listener.accept() else {
            Issue.record("no connection to accept")
            return
        }

        try Array("ping".utf8).withUnsafeBytes { try client.sendAll($0) }
        var buffer = [UInt8](repeating: 0, count: 16)
        try epoll.add(server.rawValue, .readable, token: 9)
        #expect(try epoll.wait(timeoutMilliseconds: 5000) == 1)
        let count = try buffer.withUnsafeMutableBytes { try server.receive(into: $0) }
        #expect(count == 4)
        #expect(Array(buffer[..<4]) == Array("ping".utf8))
        #expect(try buffer.withUnsafeMutableBytes { try server.receive(into: $0) } == nil)

        client.shutdown()
        #expect(try buffer.withUnsafeMutableBytes { try server.receive(into: $0) } == 0)
        #expect(server.peerAddress()?.host == host)
    }

    @Test func sendfileSendsTheRangeAndReportsEndOfFile() throws {
        var template = Array("/tmp/spindle-sendfile-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let file = FileDescriptor(owning: fd)
        try Array("0123456789".utf8).withUnsafeBytes { try file.writeAll($0) }

        let listener = try FileDescriptor.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!)
        let client = try FileDescriptor.connect(to: listener.localAddress()!)
        guard let server = try listener.accept(nonBlocking: false) else {
            Issue.record("no connection to accept")
            return
        }
        var offset: Int64 = 3
        #expect(try server.sendFile(from: file, offset: &offset, count: 4) == 4)
        #expect(offset == 7)
        offset = 10
        #expect(try server.sendFile(from: file, offset: &offset, count: 4) == 0)  // past the end: truncated file
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try client.receive(into: $0) }
        #expect(Array(buffer[..<(count ?? 0)]) == Array("3456".utf8))
    }

    @Test func addressParsing() {
        #expect(SocketAddress(host: "127.0.0.1", port: 80)?.description == "127.0.0.1:80")
        #expect(SocketAddress(host: "::1", port: 8080)?.description == "[::1]:8080")
        #expect(SocketAddress(host: "", port: 1)?.description == "0.0.0.0:1")
        #expect(SocketAddress(host: "localhost", port: 1) == nil)
        #expect(SocketAddress(host: "1.2.3", port: 1) == nil)
        // Literals only: the wildcard spellings are `init(host:port:)`'s.
        #expect(SocketAddress(numericHost: "::ffff:1.2.3.4", port: 1)?.family == AF_INET6)
        #expect(SocketAddress(numericHost: "", port: 1) == nil)
        #expect(SocketAddress(numericHost: "*", port: 1) == nil)
        #expect(SocketAddress(numericHost: "01.2.3.4", port: 1) == nil)
        #expect(SocketAddress(numericHost: "fe80::1%eth0", port: 1) == nil)
    }
}
