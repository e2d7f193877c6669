import Glibc
import Posix

/// Accepting connections, as both serving modes do it: a burst at a time, and a pause instead of a
/// spin when the process runs out of descriptors (a listener that stays readable would otherwise be
/// polled in a tight loop), logged once per shortage.
struct AcceptLoop {
    enum Outcome {
        /// The backlog is empty.
        case drained
        /// `room` said no more connections fit.
        case full
        /// Out of descriptors (or memory): accepting pauses until `resumeAt`.
        case shortage
        /// `take` refused the connection.
        case refused
    }

    static let burst = 64
    static let shortagePause: Int64 = 100_000_000

    /// Monotonic time before which accepting stays paused after a shortage.
    private(set) var resumeAt: Int64 = 0
    private var reportedShortage = false

    /// Accepts up to a burst of connections from `listener` while `room()` holds, handing each to
    /// `take` (false to stop).
    mutating func accept(
        from listener: Listener, nonBlocking: Bool, now: Int64, warn: ((String) -> Void)?,
        room: () -> Bool, take: (consuming FileDescriptor) -> Bool
    ) -> Outcome {
        for _ in 0..<Self.burst {
            guard room() else { return .full }
            let accepted: FileDescriptor?
            do {
                accepted = try listener.socket.accept(nonBlocking: nonBlocking)
            } catch {
                guard error.isDescriptorShortage else { continue }  // ECONNABORTED and the like: that client only
                pause(now: now, warn: warn, "accept: \(error); pausing accepts until descriptors free up")
                return .shortage
            }
            guard let socket = accepted else { return .drained }
            reportedShortage = false
            guard take(socket) else { return .refused }
        }
        return .drained
    }

    /// Pauses accepting for a moment, saying why once per shortage.
    mutating func pause(now: Int64, warn: ((String) -> Void)?, _ message: @autoclosure () -> String) {
        if !reportedShortage {
            reportedShortage = true
            warn?(message())
        }
        resumeAt = now + Self.shortagePause
    }
}
