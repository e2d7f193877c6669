import Posix

/// A listening socket the server owns.
public final class Listener: Sendable {
    public let socket: FileDescriptor
    public let address: String

    public init(socket: consuming FileDescriptor, address: String) {
        self.socket = socket
        self.address = address
    }
}
