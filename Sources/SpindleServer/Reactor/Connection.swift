import HTTP1
import Posix

/// One client connection of the event loop: its socket, the phase it is in, and what it still has
/// to send. Kept small, because ten thousand idle ones must cost little: no read buffer while idle,
/// no body state unless a response is in flight.
final class Connection {
    enum Phase {
        /// Waiting for (the rest of) a request head. An idle keep-alive connection is here with no buffer.
        case readingHead
        /// A response is being written: pending head bytes, then the file range, then further parts.
        case writing
        /// Response done, closing: our side is shut down and we read until the client closes (so
        /// unread request bytes do not turn our close into a reset that destroys the response).
        case lingering
    }

    let socket: FileDescriptor
    let slot: Int
    let generation: UInt32
    var phase = Phase.readingHead
    enum Interest { case none, read, write }
    /// Interest currently registered with epoll (none until the connection first has to wait).
    var interest = Interest.none

    /// Buffer and parser, lent by the pool while a head is being read; nil while idle.
    var reading: ReadBuffer?
    var buffered = 0
    /// Bytes of a request body still to be read and thrown away.
    var discarding: Int64 = 0
    /// The peer has shut down its side; answer what we have, then close.
    var peerClosed = false
    /// Whether the head deadline is armed for the request being read (it runs from the first byte).
    var headDeadlineArmed = false

    /// Unsent response bytes (a head that did not leave in one send, or a multipart part header).
    var pending: [UInt8] = []
    var pendingOffset = 0
    var file: OpenFile?
    var fileOffset: Int64 = 0
    var fileEnd: Int64 = 0
    var parts: [BodyPart] = []
    var partIndex = 0
    var keepAlive = true
    /// Close by lingering rather than at once (the client may still be sending).
    var lingerAfter = false

    init(socket: consuming FileDescriptor, slot: Int, generation: UInt32) {
        self.socket = socket
        self.slot = slot
        self.generation = generation
    }

    var token: UInt64 { UInt64(generation) << 32 | UInt64(slot) }

    /// Whether more than the head is still to be sent (so the head goes with MSG_MORE).
    var hasBodyWork: Bool { fileOffset < fileEnd || partIndex < parts.count }

    /// Forgets the finished response.
    func clearResponse() {
        if !pending.isEmpty { pending.removeAll(keepingCapacity: false) }
        pendingOffset = 0
        file = nil
        fileOffset = 0
        fileEnd = 0
        if !parts.isEmpty { parts = [] }
        partIndex = 0
    }
}
