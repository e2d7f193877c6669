/// Which timeout a connection is waiting under. Every connection waits under at most one at a time,
/// and every deadline of one kind is "now plus that kind's timeout", which is what lets the reactor
/// keep one first-in, first-out list per kind.
enum DeadlineKind: Int8, CaseIterable, Sendable {
    /// From the first byte of a request (or the accept) until its head and any body have arrived:
    /// absolute, so a client trickling bytes (slowloris) cannot extend it. Expiry: 408 if anything
    /// was received, else close.
    case head
    /// An idle keep-alive connection waiting for its next request. Expiry: close.
    case idle
    /// A response that makes no progress because the client does not read. Expiry: close.
    case send
    /// A closing connection reading what the client still sends. Expiry: close.
    case linger
}

/// A point in monotonic time (nanoseconds) and the kind of wait it ends.
struct Deadline: Equatable, Sendable {
    var kind: DeadlineKind
    var time: Int64
}
