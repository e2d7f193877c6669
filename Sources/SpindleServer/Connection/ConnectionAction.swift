/// What a serving mode does next for one connection, as `ConnectionCore` decides it.
enum ConnectionAction {
    /// Receive into `ConnectionCore.readSpace()` and report what came (`received`, `inputEnded`), or
    /// call `timedOut` at the core's deadline.
    case read
    /// Send the head the core wrote into `out`, then the response's body; call `sent` once everything
    /// has gone (and `sendBlocked` whenever the socket makes the sender wait).
    case send(Response)
    /// Shut down our sending side, then read and drop whatever the client still sends until it closes
    /// or the core's deadline passes; then close. Closing with unread bytes would make the kernel
    /// reset the connection, and the reset can destroy the response before the client reads it.
    case linger
    /// Close the connection now.
    case close
}
