import Posix

/// One client connection of the event loop: its socket, its core (which decides everything about the
/// HTTP exchange) and the response on its way out. Kept small, because ten thousand idle ones must
/// cost little: the core holds no buffer while idle.
final class Connection {
    enum Interest { case none, read, write }

    let socket: FileDescriptor
    let slot: Int
    let token: UInt64
    /// A connection to the status listener (health and metrics), not to the site.
    let isStatus: Bool
    var core: ConnectionCore
    /// The response being sent while the core is `writing`.
    var transfer = ResponseTransfer(.none)
    /// Interest currently registered with epoll (none until the connection first has to wait).
    var interest = Interest.none

    init(socket: consuming FileDescriptor, slot: Int, token: UInt64, core: ConnectionCore, isStatus: Bool) {
        self.socket = socket
        self.slot = slot
        self.token = token
        self.isStatus = isStatus
        self.core = core
    }
}
