import Glibc
import Posix

/// A listening socket the server owns, with the URL the start-up line reports for it.
public final class Listener: Sendable {
    public let socket: FileDescriptor
    public let address: String

    public init(socket: consuming FileDescriptor, address: String) {
        self.socket = socket
        self.address = address
    }

    /// Binds every address (non-blocking listening sockets).
    static func bind(_ addresses: [ListenAddress]) throws(Errno) -> [Listener] {
        var listeners: [Listener] = []
        for address in addresses {
            guard let socketAddress = SocketAddress(host: address.host, port: address.port) else {
                throw Errno(EINVAL, "listen \(address)")
            }
            let socket: FileDescriptor
            do {
                socket = try FileDescriptor.listen(on: socketAddress)
            } catch {
                throw Errno(error.code, "listen on \(address)")
            }
            // Port 0 asks the kernel to choose; report the port it chose.
            let url = socket.localAddress().map { "http://\($0)" } ?? address.url
            listeners.append(Listener(socket: socket, address: url))
        }
        return listeners
    }
}
